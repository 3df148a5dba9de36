/**
 * The workload CA of `aspen serve`: supplied as PEM (`--ca-cert`/`--ca-key`) or generated at start-up. A generated CA
 * lives only as long as the process (a warning says so); its trust bundle can be written to a file for sidecar
 * bootstraps and test clients. Key material never reaches logs or files here: only the bundle (certificates) is written.
 */
import { writeFile } from 'node:fs/promises';
import { generateRootCa } from '../ca/root.js';
import { newCaState, trustBundle } from '../ca/state.js';
import type { CaState } from '../ca/types.js';
import type { Clock, Logger } from '../xds/server/types.js';

/** What {@link resolveServeCa} needs. */
export interface ServeCaOptions {
  /** A CA loaded by the caller (from `--ca-cert`/`--ca-key`); absent: generate one. */
  readonly ca?: CaState;
  /** Trust domain of a generated CA. */
  readonly trustDomain: string;
  /** Where to write the trust bundle (PEM), if anywhere. */
  readonly trustBundleOut?: string;
}

/** The CA to serve with: the supplied one, or a fresh ephemeral root (with a warning). Writes the bundle if asked. */
export async function resolveServeCa(
  options: ServeCaOptions,
  clock: Clock,
  logger: Logger,
): Promise<CaState> {
  const caClock = (): Date => clock.now();
  let ca = options.ca;
  if (ca === undefined) {
    const root = await generateRootCa({ trustDomain: options.trustDomain, clock: caClock });
    if (!root.ok) throw new Error(`cannot generate the workload CA: ${root.error.message}`);
    ca = newCaState(root.value);
    logger.warn(
      { trustDomain: options.trustDomain, trustBundleOut: options.trustBundleOut ?? null },
      'EPHEMERAL workload CA generated at start-up: its key is lost on exit, so certificates and the trust bundle ' +
        'change at every restart; pass --ca-cert and --ca-key to keep one',
    );
  }
  if (options.trustBundleOut !== undefined) {
    await writeFile(options.trustBundleOut, trustBundle(ca, caClock), { mode: 0o644 });
    logger.info({ path: options.trustBundleOut }, 'trust bundle written');
  }
  return ca;
}
