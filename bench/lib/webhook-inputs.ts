/**
 * What the webhook benchmark sends: AdmissionReview v1 bodies built from the generated cluster. Injection: the Pod a
 * generated workload's ReplicaSet (or StatefulSet) creates, with probes, resources and its container ports, in a
 * namespace labelled for injection. Validation: ApiSecurityPolicy UPDATEs of existing policies (a rate limit
 * edited), CREATEs of new policies (selecting workloads another policy already selects, so conflicts and
 * segmentation overlaps are judged), and invalid ones; the verdict each must get comes from `validatePolicy`.
 */
import type { RawPolicy, ResourceSnapshot, Workload } from '../../src/provider/snapshot.js';
import { validatePolicy } from '../../src/translate/validate/index.js';
import { generatePolicy } from './generate.js';
import type { LoadRequest } from './webhook-load.js';

const POD_KIND = { group: '', version: 'v1', kind: 'Pod' };
const POLICY_KIND = { group: 'aspen.dev', version: 'v1alpha1', kind: 'ApiSecurityPolicy' };

function review(request: Record<string, unknown>, uid: string): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid, ...request },
  });
}

/** The pod a workload's controller creates (name and labels as a ReplicaSet's pod would carry). */
export function podOf(workload: Workload, index: number): Record<string, unknown> {
  const hash = (0x5f3a1c + index * 7919).toString(36).slice(-5);
  const generateName = `${workload.name}-7d9f8c${hash.slice(0, 3)}-`;
  const ports = workload.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol }));
  const probe = { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10, failureThreshold: 3 };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace: workload.namespace,
      labels: { ...workload.labels, 'pod-template-hash': `7d9f8c${hash.slice(0, 3)}` },
      annotations: { 'kubectl.kubernetes.io/default-container': 'app' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: generateName.slice(0, -1),
          uid: `uid-${index}`,
          controller: true,
        },
      ],
    },
    spec: {
      serviceAccountName: workload.serviceAccount,
      containers: [
        {
          name: 'app',
          image: `registry.example.com/${workload.namespace}/${workload.name}:1.${index % 10}.0`,
          ports,
          env: [{ name: 'LOG_LEVEL', value: 'info' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          readinessProbe: probe,
          livenessProbe: { ...probe, initialDelaySeconds: 5 },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      volumes: [{ name: 'config', configMap: { name: `${workload.name}-config` } }],
    },
  };
}

/** Injection reviews: one pod CREATE per workload (up to `count`), each expected allowed with a patch. */
export function injectionRequests(snapshot: ResourceSnapshot, count: number): LoadRequest[] {
  const workloads = snapshot.workloads;
  return Array.from({ length: Math.min(count, workloads.length) }, (_, i) => {
    const w = workloads[(i * 7) % workloads.length] as Workload;
    const body = review(
      { kind: POD_KIND, namespace: w.namespace, operation: 'CREATE', object: podOf(w, i), dryRun: false },
      `inject-${i}`,
    );
    return { path: '/inject', body, allowed: true, patch: true };
  });
}

/** The same policy, made invalid in one of a few ways a user gets wrong. */
function broken(policy: RawPolicy, i: number): Record<string, unknown> {
  const object = structuredClone(policy.object) as { spec: Record<string, unknown> };
  const spec = object.spec;
  if (i % 3 === 0) spec.mtls = { mode: 'OPTIONAL' };
  else if (i % 3 === 1)
    spec.rateLimits = [{ name: 'bad', key: { remoteAddress: {} }, requests: 0, per: '1 hour' }];
  else spec.ports = [0, 70000];
  return object;
}

function policyReview(object: Record<string, unknown>, operation: string, uid: string): LoadRequest {
  const metadata = object.metadata as { namespace: string };
  const valid = validatePolicy(object, { namespace: metadata.namespace }).problems.length === 0;
  const body = review(
    { kind: POLICY_KIND, namespace: metadata.namespace, operation, object, dryRun: false },
    uid,
  );
  return { path: '/validate', body, allowed: valid };
}

/**
 * Validation reviews, `count` of them: 2 in 5 edits of existing policies (UPDATE), 2 in 5 new policies (CREATE,
 * selecting the workloads of an existing one), 1 in 5 invalid (refused).
 */
export function validationRequests(
  snapshot: ResourceSnapshot,
  policies: number,
  count: number,
): LoadRequest[] {
  const workloads = snapshot.workloads;
  return Array.from({ length: count }, (_, i) => {
    const existing = (i * 37) % policies;
    if (i % 5 === 4)
      return policyReview(broken(generatePolicy(existing, workloads, 2), i), 'UPDATE', `v-${i}`);
    if (i % 5 >= 2)
      return policyReview(generatePolicy(policies + existing, workloads).object, 'CREATE', `v-${i}`);
    const edited = generatePolicy(existing, workloads, 2).object as {
      spec: { rateLimits: { requests: number }[] };
    };
    const first = edited.spec.rateLimits[0];
    if (first !== undefined) first.requests = 100 + i;
    return policyReview(edited, 'UPDATE', `v-${i}`);
  });
}
