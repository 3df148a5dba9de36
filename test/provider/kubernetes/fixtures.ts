// Shared pieces of the Kubernetes provider tests: the examples/ objects seeded into a fake API server (Deployments
// become running pods owned by a ReplicaSet, as in a cluster), a source over the real client-node transport, and a
// condition-based wait.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { clientNodeTransport } from '../../../src/provider/kubernetes/transport.js';
import { KubernetesSource } from '../../../src/provider/kubernetes/source.js';
import type { SourceChange } from '../../../src/serve/source.js';
import type { FakeApiServer, KubeObject } from '../../support/fake-apiserver/index.js';
import { FakeTimers, recordingLogger } from '../../serve/fixtures.js';
import type { LogLine } from '../../serve/fixtures.js';

/** The pod-template-hash of every seeded pod. */
export const HASH = '7d9f8';

/** Every object in examples/ (YAML documents), in file order. */
export async function exampleObjects(): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const dir of ['examples/shop', 'examples/policies']) {
    for (const file of (await readdir(dir)).sort()) {
      const text = await readFile(join(dir, file), 'utf8');
      const docs = parseAllDocuments(text).map((doc) => doc.toJS() as KubeObject | null);
      out.push(...docs.filter((value) => value !== null));
    }
  }
  return out;
}

/** A running pod of a Deployment, as the ReplicaSet controller makes it. */
export function podOf(deployment: KubeObject, index = 0): KubeObject {
  const meta = deployment['metadata'] as { name: string; namespace: string };
  const template = (
    deployment['spec'] as { template: { metadata?: { labels?: Record<string, string> }; spec: unknown } }
  ).template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${meta.name}-${HASH}-p${index}`,
      namespace: meta.namespace,
      labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': HASH },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${meta.name}-${HASH}`,
          uid: 'rs',
          controller: true,
        },
      ],
    },
    spec: template.spec,
    status: { phase: 'Running', podIP: `10.0.0.${index + 10}` },
  };
}

/** Seeds the examples: Deployments as one pod each, everything else as is. */
export async function seedExamples(api: FakeApiServer): Promise<void> {
  for (const object of await exampleObjects()) {
    if (object['kind'] === 'Deployment') api.put(podOf(object));
    else api.put(object);
  }
}

/** An EndpointSlice of a Service with the given addresses. */
export function endpointSlice(service: string, addresses: string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service}-abcde`,
      namespace: 'shop',
      labels: { 'kubernetes.io/service-name': service },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
  };
}

/** A source over the fake API server with the real client, fake timers and recorded logs and changes. */
export interface TestSource {
  source: KubernetesSource;
  timers: FakeTimers;
  logs: LogLine[];
  changes: SourceChange[];
}

export function testSource(api: FakeApiServer): TestSource {
  const timers = new FakeTimers();
  const logs: LogLine[] = [];
  const changes: SourceChange[] = [];
  const source = new KubernetesSource({
    transport: clientNodeTransport(api.kubeConfig),
    timers,
    logger: recordingLogger(logs),
  });
  return { source, timers, logs, changes };
}

/** Waits (polling) until `predicate` holds; fails naming `what` after 5 s. */
export async function eventually(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
