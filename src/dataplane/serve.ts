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
import { MemoryTlsProvider, dataplaneTlsDue, issueDataplaneTls } from './tls.js';
import type { TimerHandle, Timers } from '../serve/debounce.js';

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

/** How often serve checks whether its dataplane certificate is due (two thirds of its life). */
export const SERVE_TLS_CHECK_MS = 10 * 60 * 1000;

/** Issues the certificate into `provider`; returns the PEM chain, or throws the CA's message. */
async function issueInto(
  provider: MemoryTlsProvider,
  ca: CaState,
  identity: { namespace: string; serviceAccount: string },
  clock: Clock,
): Promise<string> {
  const tls = await issueDataplaneTls(ca, identity, clock);
  if (!tls.ok) throw new Error(`cannot issue the dataplane certificate: ${tls.error.message}`);
  provider.update(tls.value);
  return tls.value['tls.crt'];
}

/**
 * Starts serve's dataplane on `listen` (`host:port`). Its certificate is checked every SERVE_TLS_CHECK_MS and
 * replaced in place (the port stays bound) once two thirds of its life have passed.
 */
export async function startServeDataplane(
  options: { listen: string; ca: CaState; trustDomain: string; identity: string },
  env: { logger: Logger; registry: Registry; clock: Clock; timers: Timers },
): Promise<ServeDataplane> {
  const match = SPIFFE.exec(options.identity);
  if (match === null)
    throw new Error(`the dataplane identity ${options.identity} is not a workload SPIFFE ID`);
  const identity = { namespace: match[1] ?? '', serviceAccount: match[2] ?? '' };
  const provider = new MemoryTlsProvider();
  let certificate = await issueInto(provider, options.ca, identity, env.clock);
  const dataplane: Dataplane = await startDataplane(
    {
      listen: options.listen,
      credentials: provider.credentials(),
      trustDomain: options.trustDomain,
      backend: new MemoryBackend(),
    },
    env,
  );
  let timer: TimerHandle | undefined;
  let issuing = false;
  const check = (): void => {
    timer = env.timers.setTimeout(check, SERVE_TLS_CHECK_MS);
    if (issuing || !dataplaneTlsDue(certificate, env.clock.now())) return;
    issuing = true;
    issueInto(provider, options.ca, identity, env.clock)
      .then(
        (pem) => {
          certificate = pem;
          env.logger.info({ identity: options.identity }, 'dataplane certificate renewed');
        },
        (error: unknown) => env.logger.error({ err: error }, 'dataplane certificate renewal failed'),
      )
      .finally(() => {
        issuing = false;
      });
  };
  timer = env.timers.setTimeout(check, SERVE_TLS_CHECK_MS);
  return {
    port: dataplane.port,
    load: (input) =>
      dataplane.state.update(
        stateFromSnapshot(input, { hasher: dataplane.hasher, trustDomain: options.trustDomain }),
      ),
    close: () => {
      if (timer !== undefined) env.timers.clearTimeout(timer);
      return dataplane.close();
    },
  };
}
