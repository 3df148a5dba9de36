// ADR 0033: a translation with a TranslateMemo gives exactly what a translation from scratch gives, after any edit.
// Differential: the bench generator's cluster, edited at random (seeded) one step at a time, translated with one memo
// kept across steps and from scratch; the results must be deep-equal. Then every golden input in turn with one memo.
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCluster, generatePolicy } from '../../bench/lib/generate.js';
import type { ResourceSnapshot, Workload } from '../../src/provider/snapshot.js';
import { parseManifests } from '../../src/provider/file/manifests.js';
import { buildSnapshot } from '../../src/provider/file/snapshot.js';
import { TranslateMemo, translate } from '../../src/translate/translate.js';
import type { PolicyValidator, TranslateResult } from '../../src/translate/translate.js';
import { validatePolicy } from '../../src/translate/validate/index.js';

const CONFIG = { trustDomain: 'cluster.local' };
const SIZE = { namespaces: 3, workloads: 48, policies: 24 };

/** A small seeded PRNG (mulberry32), so the edits are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Edit = (s: ResourceSnapshot, r: () => number) => string;

function pick<T>(list: readonly T[], r: () => number): T | undefined {
  return list[Math.floor(r() * list.length)];
}

type Spec = Record<string, unknown> & { rateLimits?: Record<string, unknown>[]; mode?: string };

function specOf(s: ResourceSnapshot, r: () => number): Spec | undefined {
  const policy = pick(s.policies, r);
  return policy === undefined ? undefined : (policy.object.spec as Spec);
}

const EDITS: Record<string, Edit> = {
  policyRateLimit: (s, r) => {
    const limit = specOf(s, r)?.rateLimits?.[0];
    if (limit !== undefined) limit.requests = Number(limit.requests) + 1;
    return 'policy rate limit';
  },
  policyMode: (s, r) => {
    const spec = specOf(s, r);
    if (spec !== undefined) spec.mode = spec.mode === 'Audit' ? 'Enforce' : 'Audit';
    return 'policy mode';
  },
  policyMtls: (s, r) => {
    const spec = specOf(s, r);
    if (spec !== undefined) spec.mtls = { mode: pick(['STRICT', 'PERMISSIVE', 'DISABLE'], r) };
    return 'policy mTLS';
  },
  policyInvalid: (s, r) => {
    const spec = specOf(s, r);
    if (spec !== undefined) spec.rateLimits = [{ name: 'x', requests: -1 }];
    return 'policy made invalid';
  },
  policySelector: (s, r) => {
    const spec = specOf(s, r);
    const target = pick(s.workloads, r);
    if (spec !== undefined && target !== undefined)
      spec.selector = { matchLabels: { tier: target.labels.tier ?? 'api' } };
    return 'policy selector';
  },
  policyAdd: (s, r) => {
    const added = generatePolicy(100 + Math.floor(r() * 1000), s.workloads);
    if (!s.policies.some((p) => p.namespace === added.namespace && p.name === added.name))
      s.policies.push(added);
    return 'policy added';
  },
  policyDelete: (s, r) => {
    s.policies.splice(Math.floor(r() * s.policies.length), 1);
    return 'policy deleted';
  },
  secret: (s, r) => {
    const secret = pick(s.secrets, r);
    if (secret === undefined) return 'no secret';
    if (r() < 0.3) s.secrets.splice(s.secrets.indexOf(secret), 1);
    else secret.data = Object.fromEntries(Object.keys(secret.data).map((k) => [k, r() < 0.5 ? 'x' : '{}']));
    return 'secret changed';
  },
  configMap: (s, r) => {
    const cm = pick(s.configMaps, r);
    if (cm !== undefined) cm.data = r() < 0.5 ? {} : { 'openapi.yaml': 'openapi: 3.0.0' };
    return 'configmap changed';
  },
  workloadAdd: (s, r) => {
    const base = pick(s.workloads, r);
    if (base === undefined) return 'no workload';
    const name = `extra-${Math.floor(r() * 1e6)}`;
    const added: Workload = { ...structuredClone(base), name, labels: { ...base.labels, app: name } };
    if (r() < 0.3) added.annotations = { 'aspen.dev/proxyless': 'true' };
    s.workloads.push(added);
    return 'workload added';
  },
  workloadRemove: (s, r) => {
    s.workloads.splice(Math.floor(r() * s.workloads.length), 1);
    return 'workload removed';
  },
  workloadLabel: (s, r) => {
    const w = pick(s.workloads, r);
    const other = pick(s.workloads, r);
    if (w !== undefined && other !== undefined) w.labels = { ...w.labels, group: other.labels.group ?? '' };
    return 'workload label';
  },
  workloadPorts: (s, r) => {
    const w = pick(s.workloads, r);
    if (w !== undefined)
      w.ports = r() < 0.5 ? w.ports.slice(1) : [...w.ports, { port: 7070, protocol: 'TCP' }];
    return 'workload ports';
  },
  workloadAccount: (s, r) => {
    const w = pick(s.workloads, r);
    if (w !== undefined) w.serviceAccount = `sa-${Math.floor(r() * 10)}`;
    return 'workload service account';
  },
  workloadEgress: (s, r) => {
    const w = pick(s.workloads, r);
    const other = pick(s.services, r);
    if (w === undefined || other === undefined) return 'no workload';
    const scopes = ['./*', `${other.namespace}/${other.name}`, `*/${other.name}`, 'not a scope'];
    const annotations = { ...w.annotations };
    if (r() < 0.2) delete annotations['aspen.dev/egress'];
    else annotations['aspen.dev/egress'] = pick(scopes, r) ?? './*';
    w.annotations = annotations;
    return 'workload egress scope';
  },
  namespaceLabel: (s, r) => {
    const ns = pick(s.namespaces, r);
    const other = pick(s.namespaces, r);
    if (ns !== undefined && other !== undefined) ns.labels = { team: other.name };
    return 'namespace label';
  },
  service: (s, r) => {
    const svc = pick(s.services, r);
    const w = pick(s.workloads, r);
    if (svc === undefined || w === undefined) return 'no service';
    if (r() < 0.5) svc.selector = { app: w.name };
    else svc.ports = [{ name: 'http', port: 8000, targetPort: 8080, protocol: 'TCP' }];
    return 'service changed';
  },
};

function sortedByKey<T extends { namespace: string; name: string }>(list: T[]): T[] {
  const key = (o: T): string => `${o.namespace}/${o.name}`;
  return list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function expectSame(memo: TranslateResult, fresh: TranslateResult, what: string): void {
  expect(memo.statuses, `statuses after ${what}`).to.deep.equal(fresh.statuses);
  expect(memo.policies, `policies after ${what}`).to.deep.equal(fresh.policies);
  expect(memo.proxies, `proxies after ${what}`).to.deep.equal(fresh.proxies);
}

describe('translate memo (ADR 0033)', () => {
  it('gives what a translation from scratch gives, over 60 random edits of the generated cluster', () => {
    const memo = new TranslateMemo();
    const random = prng(10);
    let snapshot = generateCluster(SIZE);
    expectSame(translate(snapshot, CONFIG, memo), translate(snapshot, CONFIG), 'nothing');
    const names = Object.keys(EDITS).sort();
    for (let step = 0; step < 60; step += 1) {
      // A provider builds new objects on every read: edit a deep copy.
      snapshot = structuredClone(snapshot);
      const edits = [pick(names, random), random() < 0.3 ? pick(names, random) : undefined];
      const what = edits
        .flatMap((e) => (e === undefined ? [] : [EDITS[e]?.(snapshot, random) ?? '']))
        .join(', ');
      sortedByKey(snapshot.policies);
      sortedByKey(snapshot.workloads);
      sortedByKey(snapshot.services);
      expectSame(translate(snapshot, CONFIG, memo), translate(snapshot, CONFIG), `step ${step}: ${what}`);
    }
  });

  it('reuses what did not change: the same proxy fields and outbound array after an unrelated edit', () => {
    const memo = new TranslateMemo();
    const first = translate(generateCluster(SIZE), CONFIG, memo);
    const second = translate(generateCluster(SIZE), CONFIG, memo);
    expect(second.proxies.every((p, i) => p.ports === first.proxies[i]?.ports)).to.equal(true);
    expect(second.proxies[0]?.outbound).to.equal(first.proxies[0]?.outbound);
    expect(second.proxies[0]).to.not.equal(first.proxies[0]);
  });

  it('validates each policy content once: across translations, and shared with a validation before translating', () => {
    const memo = new TranslateMemo();
    const seen: string[] = [];
    const validate: PolicyValidator = (object, options) => {
      seen.push(String((object.metadata as { name?: string }).name));
      return validatePolicy(object, options);
    };
    const snapshot = generateCluster(SIZE);
    translate(snapshot, { ...CONFIG, validate }, memo);
    expect(seen).to.have.length(SIZE.policies);
    seen.length = 0;
    const edited = structuredClone(snapshot);
    const first = edited.policies[0];
    if (first !== undefined)
      first.object.metadata = { ...(first.object.metadata as object), labels: { a: 'b' } };
    const early = memo.validator(validate);
    for (const raw of edited.policies) early(raw.object, { namespace: raw.namespace });
    expect(seen).to.deep.equal([first?.name]);
    expectSame(translate(edited, { ...CONFIG, validate }, memo), translate(edited, CONFIG), 'a label');
    expect(seen).to.deep.equal([first?.name]);
  });

  it("follows another policy's edit into a policy's status: segmentation overlaps, then conflicts", () => {
    const memo = new TranslateMemo();
    const base = generateCluster(SIZE);
    translate(base, CONFIG, memo);
    // policy-0004: Enforce, defaultAction Deny, segmented. Its twin selects the same workloads with other peers.
    const a = base.policies.find((p) => p.name === 'policy-0004');
    if (a === undefined) throw new Error('no policy-0004');
    const twin = structuredClone(a);
    twin.name = 'policy-0004-twin';
    twin.object.metadata = { ...(twin.object.metadata as object), name: twin.name };
    const spec = twin.object.spec as {
      authorization: { defaultAction: string };
      segmentation: { allowFrom: [] };
    };
    spec.segmentation.allowFrom = [];
    const reasons = (result: TranslateResult): string[] =>
      result.statuses.find((st) => st.name === 'policy-0004')?.conditions.map((c) => c.reason) ?? [];
    const withTwin = { ...base, policies: [...base.policies, twin] };
    const overlapping = translate(withTwin, CONFIG, memo);
    expectSame(overlapping, translate(withTwin, CONFIG), 'a twin with other peers');
    expect(reasons(overlapping)).to.include('SegmentationUnion').and.not.include('Conflicted');
    const conflicting = structuredClone(withTwin);
    const twinSpec = conflicting.policies.at(-1)?.object.spec as typeof spec;
    twinSpec.authorization.defaultAction = 'Allow';
    const both = translate(conflicting, CONFIG, memo);
    expectSame(both, translate(conflicting, CONFIG), 'a twin that also allows by default');
    expect(reasons(both)).to.include.members(['SegmentationUnion', 'Conflicted']);
    expectSame(translate(base, CONFIG, memo), translate(base, CONFIG), 'the twin deleted');
  });

  it('clears itself when the trust domain changes', () => {
    const memo = new TranslateMemo();
    const snapshot = generateCluster(SIZE);
    translate(snapshot, CONFIG, memo);
    const other = { trustDomain: 'example.org' };
    expectSame(translate(snapshot, other, memo), translate(snapshot, other), 'a new trust domain');
  });

  it('gives what a translation from scratch gives for every golden input, translated in turn with one memo', () => {
    const dir = fileURLToPath(new URL('../../../test/golden/translate/', import.meta.url));
    const memo = new TranslateMemo();
    const inputs = readdirSync(dir).filter((f) => f.endsWith('.in.yaml'));
    for (const file of [...inputs, ...inputs.reverse()]) {
      const parsed = parseManifests(readFileSync(join(dir, file), 'utf8'), file);
      const { snapshot } = buildSnapshot(parsed.manifests, { defaultNamespace: 'default' });
      expectSame(translate(snapshot, CONFIG, memo), translate(snapshot, CONFIG), file);
    }
  });
});
