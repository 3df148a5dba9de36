/**
 * The validation failure-policy self-test (ADR 0020): the validating webhook is installed with `failurePolicy:
 * Ignore`, so a broken install never blocks the cluster. The leader server-side dry-run-creates a policy carrying
 * the self-test annotation; only aspen's webhook refuses it, with the nonce in the message. Seeing that refusal come
 * back through the API server proves the whole path (Service, caBundle, TLS, handler), and only then is the
 * failure policy switched to `Fail`.
 */
import { API_GROUP_VERSION, POLICY_KIND } from '../api/group.js';
import type { Logger } from '../xds/server/types.js';
import { SELF_TEST_ANNOTATION, selfTestMessage } from './admission/validate-review.js';
import { VALIDATE_WEBHOOK, VALIDATOR_CONFIGURATION, failurePolicyPatch } from './configurations.js';
import type { WebhookKubeClient } from './kube/client.js';

/** Outcome of one run. */
export type SelfTestOutcome =
  'switched' | 'already-fail' | 'no-configuration' | 'not-refused' | 'refused-otherwise';

/** The known-bad object: valid for the CRD schema, refused by aspen's webhook alone. */
export function selfTestObject(namespace: string, nonce: string): Record<string, unknown> {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: POLICY_KIND,
    metadata: {
      name: 'aspen-webhook-self-test',
      namespace,
      annotations: { [SELF_TEST_ANNOTATION]: nonce },
    },
    spec: { selector: { matchLabels: { 'aspen.dev/webhook-self-test': 'true' } }, mode: 'Audit' },
  };
}

/** Runs the self-test once (leader only) and switches the validating webhook to `Fail` when it passes. */
export async function runSelfTest(options: {
  readonly client: WebhookKubeClient;
  readonly namespace: string;
  readonly nonce: string;
  readonly logger: Logger;
}): Promise<SelfTestOutcome> {
  const { client, logger } = options;
  const entries = await client.readWebhooks('validating', VALIDATOR_CONFIGURATION);
  if (entries === undefined) return 'no-configuration';
  const patch = failurePolicyPatch(entries, VALIDATE_WEBHOOK, 'Fail');
  if (patch.length === 0) return 'already-fail';
  const outcome = await client.dryRunCreate(selfTestObject(options.namespace, options.nonce));
  if (outcome.allowed) {
    logger.info({}, 'webhook self-test: the known-bad policy was not refused; validation stays Ignore');
    return 'not-refused';
  }
  if (!outcome.message.includes(selfTestMessage(options.nonce))) {
    logger.info(
      { reason: outcome.message },
      'webhook self-test: refused, but not by this aspen; stays Ignore',
    );
    return 'refused-otherwise';
  }
  await client.patchWebhooks('validating', VALIDATOR_CONFIGURATION, patch);
  logger.info({}, 'webhook self-test passed: validation failure policy is now Fail');
  return 'switched';
}
