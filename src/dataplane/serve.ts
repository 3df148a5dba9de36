/**
 * The dataplane inside `aspen serve`: on a loopback port by default, with a certificate issued by serve's workload CA
 * for the SPIFFE ID the sidecars check (XdsTranslateConfig.dataplaneIdentity), fed from each successful load of the
 * directory (same validation as the translation; only referenced Secrets hashed).
 */
import type { Registry } from 'prom-client';
import type { CaState } from '../ca/types.js';
import type { DataObject, RawPolicy } from '../provider/snapshot.js';
import type { Clock, Logger } from '../xds/server/types.js';
import { startDataplane } from './app.js';
import type { Dataplane } from './app.js';
import { stateFromSnapshot } from './from-snapshot.js';
import { MemoryBackend } from './ratelimit/memory.js';
import { MemoryTlsProvider, issueDataplaneTls } from './tls.js';

const SPIFFE = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** A dataplane in serve. */
export interface ServeDataplane {
  /** The bound port. */
  readonly port: number;
  /** Feeds a successful load. */
  load(input: { policies: readonly RawPolicy[]; secrets: readonly DataObject[] }): void;
  /** Stops it. */
  close(): Promise<void>;
}

/** Starts serve's dataplane on `listen` (`host:port`). */
export async function startServeDataplane(
  options: { listen: string; ca: CaState; trustDomain: string; identity: string },
  env: { logger: Logger; registry: Registry; clock: Clock },
): Promise<ServeDataplane> {
  const match = SPIFFE.exec(options.identity);
  if (match === null)
    throw new Error(`the dataplane identity ${options.identity} is not a workload SPIFFE ID`);
  const tls = await issueDataplaneTls(
    options.ca,
    { namespace: match[1] ?? '', serviceAccount: match[2] ?? '' },
    env.clock,
  );
  if (!tls.ok) throw new Error(`cannot issue the dataplane certificate: ${tls.error.message}`);
  const provider = new MemoryTlsProvider();
  provider.update(tls.value);
  const dataplane: Dataplane = await startDataplane(
    {
      listen: options.listen,
      credentials: provider.credentials(),
      trustDomain: options.trustDomain,
      backend: new MemoryBackend(),
    },
    env,
  );
  return {
    port: dataplane.port,
    load: (input) =>
      dataplane.state.update(
        stateFromSnapshot(input, { hasher: dataplane.hasher, trustDomain: options.trustDomain }),
      ),
    close: () => dataplane.close(),
  };
}
