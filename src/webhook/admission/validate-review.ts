/**
 * The `/validate` review of aspen.dev objects: the same validator as `aspen validate` (and the translator) decides;
 * each problem becomes a cause with its field path and the same message; audit findings come back as warnings. An
 * object carrying the self-test annotation is always refused with its nonce in the message: that is how the leader
 * proves the API server really calls this webhook before switching its failure policy to `Fail`.
 */
import { API_GROUP } from '../../api/group.js';
import type { Logger } from '../../xds/server/types.js';
import { formatPath } from '../../translate/problem.js';
import type { PolicyValidator } from '../validate/validator.js';
import { allow, deny, type AdmissionRequest, type AdmissionResponse } from './review.js';

/** Annotation of the self-test object; its value is the nonce echoed in the denial. */
export const SELF_TEST_ANNOTATION = 'aspen.dev/webhook-self-test';

/** What the `/validate` review needs. */
export interface ValidateReviewDeps {
  /** The validator (see `validate/validator.ts`). */
  readonly validate: PolicyValidator;
  /** Logger. */
  readonly logger: Logger;
}

/** The message of a self-test denial, which the self-test looks for. */
export function selfTestMessage(nonce: string): string {
  return `aspen webhook self-test ${nonce}: refused as expected`;
}

function selfTestNonce(object: Record<string, unknown>): string | undefined {
  const metadata = object.metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const annotations = (metadata as { annotations?: unknown }).annotations;
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  const nonce = (annotations as Record<string, unknown>)[SELF_TEST_ANNOTATION];
  return typeof nonce === 'string' ? nonce : undefined;
}

function objectName(object: Record<string, unknown>): string {
  const metadata = object.metadata as { name?: unknown } | undefined;
  return typeof metadata?.name === 'string' ? metadata.name : '<unnamed>';
}

/** Answers one `/validate` review. */
export async function reviewPolicy(
  request: AdmissionRequest,
  deps: ValidateReviewDeps,
): Promise<AdmissionResponse> {
  const { uid, kind, namespace, object } = request;
  if (kind.group !== API_GROUP) {
    const message = `aspen validator: expected an ${API_GROUP} object, got ${kind.group || 'core'}/${kind.kind}`;
    return deny(uid, { code: 400, reason: 'BadRequest', message });
  }
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') return allow(uid);
  if (object === undefined) {
    return deny(uid, {
      code: 400,
      reason: 'BadRequest',
      message: 'aspen validator: the request has no object',
    });
  }
  const nonce = selfTestNonce(object);
  if (nonce !== undefined) {
    return deny(uid, { code: 403, reason: 'Forbidden', message: selfTestMessage(nonce) });
  }
  const verdict = await deps.validate(object, { namespace });
  const name = `${kind.kind} ${namespace}/${objectName(object)}`;
  if (verdict.problems.length === 0) return allow(uid, verdict.warnings);
  const causes = verdict.problems.map((p) => ({ field: formatPath(p.path), message: p.message }));
  const message = `${name} is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join('; ')}`;
  deps.logger.info({ namespace, name: objectName(object), problems: causes.length }, 'policy refused');
  const target = { group: kind.group, kind: kind.kind, name: objectName(object) };
  return deny(uid, { code: 422, reason: 'Invalid', message, causes, target }, verdict.warnings);
}
