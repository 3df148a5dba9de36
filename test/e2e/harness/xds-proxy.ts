/**
 * A simulated sidecar for the e2e suite: an ADS stream to a controller replica over TLS (trusting the workload CA
 * from Secret aspen-ca) with a real projected-style ServiceAccount token (TokenRequest, audience `aspen`), which
 * the controller checks with a TokenReview against the same API server.
 */
import { Metadata, credentials } from '@grpc/grpc-js';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { LDS } from '../../serve/fixtures.js';
import { ScriptedAdsClient } from '../../xds/server/client.js';
import type { Cluster } from './cluster.js';

/** The workload trust bundle (PEM) of the aspen install in `namespace`. */
export async function workloadTrustBundle(c: Cluster, namespace: string): Promise<string> {
  const data = await c.kubectlOk([
    'get',
    'secret/aspen-ca',
    '-n',
    namespace,
    '-o',
    'jsonpath={.data.ca\\.crt}',
  ]);
  return Buffer.from(data.trim(), 'base64').toString('utf8');
}

/** A token of ServiceAccount `namespace/serviceAccount` bound to audience `aspen`. */
export async function proxyToken(c: Cluster, namespace: string, serviceAccount: string): Promise<string> {
  const token = await c.kubectlOk([
    'create',
    'token',
    serviceAccount,
    '-n',
    namespace,
    '--audience=aspen',
    '--duration=10m',
  ]);
  return token.trim();
}

function proxyCredentials(bundle: string, token: string): ChannelCredentials {
  const bearer = credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new Metadata();
    metadata.add('authorization', `Bearer ${token}`);
    callback(null, metadata);
  });
  return credentials.combineChannelCredentials(credentials.createSsl(Buffer.from(bundle)), bearer);
}

/** A connected proxy and the Listeners it received (base64 of each resource, sorted) and ACKed. */
export interface ConnectedProxy {
  client: ScriptedAdsClient;
  listeners: string[];
}

/** Connects as workload `<ns>/<name>` to the replica's xDS port, receives the Listeners and ACKs them. */
export async function connectProxy(options: {
  port: number;
  workload: string;
  bundle: string;
  token: string;
}): Promise<ConnectedProxy> {
  const client = new ScriptedAdsClient(`localhost:${options.port}`, options.workload, {
    credentials: proxyCredentials(options.bundle, options.token),
  });
  try {
    client.subscribe(LDS);
    const response = await client.next(20_000);
    client.ack(response);
    const listeners = response.resources.map((r) => Buffer.from(r.value).toString('base64')).sort();
    return { client, listeners };
  } catch (error) {
    client.close();
    throw error;
  }
}
