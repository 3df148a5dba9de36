/**
 * `aspen render <path>...`: the Envoy resources each workload's sidecar would receive, in proto3 canonical JSON (or
 * YAML). The Envoy types are imported lazily, here only, so `validate` and `audit` do not pay for loading them.
 */
import { stringify } from 'yaml';
import type { ProxyIR } from '../ir/index.js';
import { readManifests } from '../provider/file/manifests.js';
import { buildSnapshot } from '../provider/file/snapshot.js';
import { translate } from '../translate/translate.js';
import { parseListenAddress } from '../serve/address.js';
import { ExitCode, type CliIO } from './io.js';

/** Options of `aspen render`. */
export interface RenderOptions {
  /** Only this workload, `<namespace>/<name>`. */
  workload?: string;
  /** `json` (default) or `yaml`. */
  output: string;
  /** Namespace for objects without one. */
  namespace: string;
  /** Trust domain of workload identities. */
  trustDomain: string;
  /** Address of aspen's per-request services (`host:port`); default the in-cluster service. */
  dataplaneAddress?: string;
}

/** `host:port` (IPv6 as `[::1]:port`) with a port in 1–65535, or undefined. */
function parseHostPort(text: string): { host: string; port: number } | undefined {
  const parsed = parseListenAddress(text);
  return typeof parsed === 'string' || parsed.port < 1 ? undefined : parsed;
}

/** One workload's rendering. */
interface RenderedWorkload {
  workload: string;
  identity: string;
  resources: Record<string, unknown[]>;
}

/** Runs `aspen render`; returns the exit code. */
export async function runRender(paths: string[], options: RenderOptions, io: CliIO): Promise<number> {
  if (options.output !== 'json' && options.output !== 'yaml') return usage(io, '-o must be json or yaml');
  const dataplane =
    options.dataplaneAddress === undefined ? undefined : parseHostPort(options.dataplaneAddress);
  if (options.dataplaneAddress !== undefined && dataplane === undefined) {
    return usage(io, `--dataplane-address must be host:port, got "${options.dataplaneAddress}"`);
  }
  const loaded = await loadProxies(paths, options, io);
  if (typeof loaded === 'number') return loaded;
  const { workloads, problems } = await renderProxies(loaded, {
    trustDomain: options.trustDomain,
    dataplane,
  });
  if (problems.length > 0) {
    // aspen would refuse to publish these resources: say why, print none of them.
    for (const problem of problems) io.stderr(`${problem}\n`);
    io.stderr(`aspen render: ${problems.length} problem(s) in the Envoy resources: nothing rendered\n`);
    return ExitCode.Problems;
  }
  io.stdout(format({ workloads }, options.output));
  return ExitCode.Ok;
}

/** The IR of the selected workloads, or the exit code when the input cannot be rendered. */
async function loadProxies(paths: string[], options: RenderOptions, io: CliIO): Promise<ProxyIR[] | number> {
  const read = await readManifests(paths, { readStdin: io.readStdin });
  if (read.usageErrors.length > 0) return usage(io, ...read.usageErrors);
  const { snapshot, problems } = buildSnapshot(read.manifests, { defaultNamespace: options.namespace });
  const loadErrors = [...read.errors, ...problems];
  if (loadErrors.length > 0) {
    // Part of the input could not be read: any rendering would be incomplete, so print none.
    for (const e of loadErrors) io.stderr(`${e.file}:${e.line}: ${e.message}\n`);
    io.stderr(`aspen render: ${loadErrors.length} input problem(s): nothing rendered\n`);
    return ExitCode.Problems;
  }
  const { proxies } = translate(snapshot, { trustDomain: options.trustDomain });
  if (options.workload === undefined) return proxies;
  const selected = proxies.filter((p) => p.key === options.workload);
  if (selected.length === 0) {
    const known = proxies.map((p) => p.key).join(', ') || 'none';
    return usage(io, `no workload ${options.workload} in the input (workloads: ${known})`);
  }
  return selected;
}

/**
 * Each proxy's resources, by type URL, in canonical JSON, and the problems the publishing gate (src/xds/check) finds
 * in them (`<workload>: <problem>`).
 */
async function renderProxies(
  proxies: ProxyIR[],
  settings: { trustDomain: string; dataplane: { host: string; port: number } | undefined },
): Promise<{ workloads: RenderedWorkload[]; problems: string[] }> {
  const [{ translateForDataPlane }, { canonicalResources }, { defaultXdsConfig }, check, names] =
    await Promise.all([
      import('../xds/translate/proxyless/translate.js'),
      import('../xds/translate/canonical.js'),
      import('../xds/translate/config.js'),
      import('../xds/check/index.js'),
      import('../xds/translate/names.js'),
    ]);
  const defaults = defaultXdsConfig(settings.trustDomain);
  const config = { ...defaults, dataplane: settings.dataplane ?? defaults.dataplane };
  const sdsSecrets = [names.WORKLOAD_CERT_SECRET, names.TRUST_BUNDLE_SECRET];
  const problems: string[] = [];
  const workloads = proxies.map((proxy) => {
    const resources = translateForDataPlane(proxy, config);
    for (const p of check.checkResources(resources, { sdsSecrets })) {
      problems.push(`${proxy.key}: ${check.formatProblem(p)}`);
    }
    const groups = canonicalResources(resources);
    return {
      workload: proxy.key,
      identity: proxy.identity,
      resources: Object.fromEntries(groups.map((g) => [g.typeUrl, g.resources])),
    };
  });
  return { workloads, problems };
}

/** The document as JSON (two-space indent) or YAML, with a final newline. */
function format(doc: { workloads: RenderedWorkload[] }, output: string): string {
  if (output === 'yaml') return stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function usage(io: CliIO, ...messages: string[]): number {
  for (const message of messages) io.stderr(`aspen render: ${message}\n`);
  return ExitCode.Usage;
}
