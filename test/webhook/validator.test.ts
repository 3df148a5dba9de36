/**
 * The validating webhook's verdicts (refusals and audit warnings) are the same as translating the whole cluster with
 * the policy in it (ADR 0032): a differential test of `policyValidator`, which translates only the policy's
 * neighbourhood, against that reference, over every policy of the translator's and segmentation golden inputs and of
 * a generated cluster, as edits and as new policies, valid, invalid, conflicting, with unresolved references, with
 * segmentation overlaps and on proxyless workloads.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateCluster, generatePolicy } from '../../bench/lib/generate.js';
import { runAuditRules } from '../../src/audit/index.js';
import { parseManifests } from '../../src/provider/file/manifests.js';
import { buildSnapshot } from '../../src/provider/file/snapshot.js';
import type { RawPolicy, ResourceSnapshot } from '../../src/provider/snapshot.js';
import { emptySnapshot } from '../../src/provider/snapshot.js';
import { translate } from '../../src/translate/translate.js';
import { validatePolicy } from '../../src/translate/validate/index.js';
import {
  policyValidator,
  type PolicyValidator,
  type PolicyVerdict,
} from '../../src/webhook/validate/validator.js';

const TRUST_DOMAIN = 'cluster.local';

/** The reference: the whole snapshot translated with the policy in it, findings about the policy as warnings. */
function fullVerdict(
  object: Record<string, unknown>,
  namespace: string,
  base: ResourceSnapshot | undefined,
): PolicyVerdict {
  const result = validatePolicy(object, { namespace });
  if (result.problems.length > 0 || result.policy === undefined)
    return { problems: result.problems, warnings: [] };
  const meta = result.policy.metadata;
  const ns = meta.namespace ?? namespace;
  const raw: RawPolicy = {
    namespace: ns,
    name: meta.name,
    apiVersion: String(object.apiVersion),
    kind: String(object.kind),
    generation: 0,
    object,
  };
  const from = base ?? emptySnapshot();
  const others = from.policies.filter((p) => p.namespace !== ns || p.name !== meta.name);
  const snapshot = { ...from, policies: [...others, raw] };
  const findings = runAuditRules({ snapshot, ...translate(snapshot, { trustDomain: TRUST_DOMAIN }) });
  const warnings = findings
    .filter((f) => f.object.kind === raw.kind && f.object.namespace === ns && f.object.name === raw.name)
    .map(
      (f) =>
        `aspen audit ${f.ruleId} (${f.severity}): ${f.field === undefined ? '' : `${f.field}: `}${f.message}`,
    );
  return { problems: result.problems, warnings };
}

function loadGolden(dir: string): { name: string; snapshot: ResourceSnapshot }[] {
  const path = fileURLToPath(new URL(`../../../test/golden/${dir}/`, import.meta.url));
  return readdirSync(path)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort()
    .map((f) => {
      const parsed = parseManifests(readFileSync(`${path}${f}`, 'utf8'), f);
      const { snapshot } = buildSnapshot(parsed.manifests, { defaultNamespace: 'default' });
      return { name: `${dir}/${f}`, snapshot };
    });
}

function renamed(raw: RawPolicy, name: string): Record<string, unknown> {
  const object = structuredClone(raw.object);
  object.metadata = { ...(object.metadata as Record<string, unknown>), name };
  return object;
}

/** Every rule id seen in the reference's warnings, to show the cases cover conflicts, refs and overlaps. */
const seen = new Set<string>();

/** The validators under test, one per snapshot, so each is reused across reviews (its index and memo too). */
const validators = new WeakMap<object, PolicyValidator>();

function validatorFor(snapshot: ResourceSnapshot | undefined): PolicyValidator {
  const key = snapshot ?? validators;
  let found = validators.get(key);
  if (found === undefined) {
    found = policyValidator({ trustDomain: TRUST_DOMAIN, snapshot: () => snapshot });
    validators.set(key, found);
  }
  return found;
}

async function expectSame(
  object: Record<string, unknown>,
  namespace: string,
  snapshot: ResourceSnapshot | undefined,
  label: string,
): Promise<void> {
  const validate = validatorFor(snapshot);
  const expected = fullVerdict(object, namespace, snapshot);
  for (const w of expected.warnings) seen.add(/ (ASP\d+) /.exec(w)?.[1] ?? '');
  if (expected.problems.length > 0) seen.add('refused');
  expect(await validate(object, { namespace }), label).to.deep.equal(expected);
}

async function everyPolicy(snapshot: ResourceSnapshot, label: string): Promise<void> {
  for (const raw of snapshot.policies) {
    await expectSame(raw.object, raw.namespace, snapshot, `${label}: ${raw.namespace}/${raw.name}`);
    await expectSame(
      renamed(raw, `${raw.name}-copy`),
      raw.namespace,
      snapshot,
      `${label}: copy of ${raw.name}`,
    );
  }
}

describe('validating webhook: neighbourhood translation gives the full translation verdict', function () {
  this.timeout(120_000);

  for (const dir of ['translate', 'segmentation']) {
    it(`every policy of test/golden/${dir}, as is and as a new copy`, async () => {
      for (const { name, snapshot } of loadGolden(dir)) await everyPolicy(snapshot, name);
    });
  }

  it('a generated cluster: edits, new policies on selected workloads, invalid policies', async () => {
    const size = { namespaces: 3, workloads: 60, policies: 30 };
    const snapshot = generateCluster(size);
    for (let i = 0; i < size.policies; i += 1) {
      const edit = generatePolicy(i, snapshot.workloads, 2);
      await expectSame(edit.object, edit.namespace, snapshot, `edit ${edit.name}`);
      const fresh = generatePolicy(size.policies + i, snapshot.workloads);
      await expectSame(fresh.object, fresh.namespace, snapshot, `new ${fresh.name}`);
      const invalid = structuredClone(edit.object) as { spec: Record<string, unknown> };
      invalid.spec.mtls = { mode: 'OPTIONAL' };
      await expectSame(invalid, edit.namespace, snapshot, `invalid ${edit.name}`);
    }
  });

  it('policies that disagree with every policy of the generated cluster on the same workloads', async () => {
    const snapshot = generateCluster({ namespaces: 2, workloads: 20, policies: 10 });
    for (const w of snapshot.workloads.slice(0, 8)) {
      const object = {
        apiVersion: 'aspen.dev/v1alpha1',
        kind: 'ApiSecurityPolicy',
        metadata: { name: `other-${w.name}`, namespace: w.namespace },
        spec: {
          selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['worker'] }] },
          mtls: { mode: 'DISABLE' },
          authorization: { defaultAction: 'Allow' },
          apiKeys: {
            from: { query: 'key' },
            clients: [{ name: 'c', secretRef: { name: 'missing', key: 'k' } }],
          },
          requestValidation: { allowedMethods: ['DELETE'] },
          segmentation: { allowFrom: [] },
        },
      };
      await expectSame(object, w.namespace, snapshot, `disagreeing ${w.name}`);
    }
  });

  it('proxyless workloads and unreadable selectors of other policies', async () => {
    const base = generateCluster({ namespaces: 1, workloads: 6, policies: 3 });
    const workloads = base.workloads.map((w, i) =>
      i % 2 === 0 ? { ...w, annotations: { 'aspen.dev/proxyless': 'true' } } : w,
    );
    const broken = structuredClone(base.policies[0] as RawPolicy);
    broken.name = 'broken-selector';
    broken.object = { ...broken.object, metadata: { name: 'broken-selector', namespace: broken.namespace } };
    (broken.object.spec as Record<string, unknown>).selector = { matchLabels: 'not-a-map' };
    const snapshot: ResourceSnapshot = { ...base, workloads, policies: [...base.policies, broken] };
    await everyPolicy(snapshot, 'proxyless');
    const missingRef = generatePolicy(1, workloads, 3);
    (
      missingRef.object.spec as { apiKeys: { clients: { secretRef: { name: string } }[] } }
    ).apiKeys.clients[0]!.secretRef.name = 'gone';
    await expectSame(missingRef.object, missingRef.namespace, snapshot, 'proxyless, missing ref');
  });

  it('follows the snapshot it is handed: a new snapshot object is indexed anew', async () => {
    const before = generateCluster({ namespaces: 2, workloads: 20, policies: 10 });
    const removed = { ...before, policies: before.policies.slice(1), secrets: [] };
    let current = before;
    const validate = policyValidator({ trustDomain: TRUST_DOMAIN, snapshot: () => current });
    const policy = generatePolicy(10, before.workloads);
    for (const snapshot of [before, removed, before]) {
      current = snapshot;
      const expected = fullVerdict(policy.object, policy.namespace, snapshot);
      expect(await validate(policy.object, { namespace: policy.namespace })).to.deep.equal(expected);
    }
    const withRefs = fullVerdict(policy.object, policy.namespace, before).warnings;
    const withoutRefs = fullVerdict(policy.object, policy.namespace, removed).warnings;
    expect(withoutRefs, 'the cases differ').to.not.deep.equal(withRefs);
  });

  it('without a snapshot: the policy alone', async () => {
    const policy = generatePolicy(0, generateCluster({ namespaces: 1, workloads: 4, policies: 2 }).workloads);
    await expectSame(policy.object, policy.namespace, undefined, 'alone');
  });

  it('covered refusals, conflicts, unresolved references and segmentation overlaps', () => {
    expect([...seen].sort()).to.include.members(['ASP003', 'ASP004', 'ASP016', 'ASP007', 'refused']);
  });
});
