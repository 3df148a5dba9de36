/**
 * `aspen status`: what is enforced where. One line per policy — mode, conditions, workloads, proxies
 * connected/acked/rejected, last NACK — read from the cluster (ApiSecurityPolicy status, written by the controller)
 * or from a running `aspen serve` (`--serve <addr>`, its loopback-only admin endpoint). `-o json` prints the same
 * lines as JSON. Exit 1 when any policy is not programmed or the source cannot be read.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, POLICY_PLURAL } from '../api/group.js';
import { parseListenAddress, formatListenAddress } from '../serve/address.js';
import type { PolicyStatusLine, StatusReport } from '../serve/admin.js';
import type { ConditionIR } from '../translate/status.js';
import { loadKubeConfig } from './dataplane.js';
import { ExitCode, type CliIO } from './io.js';

/** Flags of `aspen status`. */
export interface StatusCliOptions {
  /** Admin address of a running `aspen serve`. */
  serve?: string;
  /** kubeconfig path. */
  kubeconfig?: string;
  /** Only this namespace. */
  namespace?: string;
  /** text or json. */
  output: string;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

function conditionsOf(value: unknown): ConditionIR[] {
  if (!Array.isArray(value)) return [];
  return value
    .map(record)
    .map((c): ConditionIR => ({
      type: str(c['type']),
      status: c['status'] === 'True' ? 'True' : c['status'] === 'False' ? 'False' : 'Unknown',
      reason: str(c['reason']),
      message: str(c['message']),
    }))
    .sort((a, b) => a.type.localeCompare(b.type));
}

/**
 * The status line of a policy object read from the cluster. Programmed means the controller's Programmed condition
 * is True for the current generation; the last NACK is that condition's message when proxies reject the policy.
 */
export function lineFromPolicy(object: unknown): PolicyStatusLine {
  const policy = record(object);
  const metadata = record(policy['metadata']);
  const status = record(policy['status']);
  const proxies = record(status['proxies']);
  const conditions = conditionsOf(status['conditions']);
  const programmed = conditions.find((c) => c.type === 'Programmed');
  const generation = metadata['generation'];
  const current = status['observedGeneration'] === undefined || status['observedGeneration'] === generation;
  const line: PolicyStatusLine = {
    namespace: str(metadata['namespace']),
    name: str(metadata['name']),
    mode: str(record(policy['spec'])['mode'], 'Enforce'),
    conditions,
    workloads: count(status['workloads']),
    proxies: {
      connected: count(proxies['connected']),
      acked: count(proxies['acked']),
      rejected: count(proxies['rejected']),
    },
    programmed: programmed?.status === 'True' && current,
  };
  if (line.proxies.rejected > 0 && programmed !== undefined && programmed.message !== '') {
    line.lastNack = programmed.message;
  }
  return line;
}

/** One text line per policy (after a header). */
export function formatStatus(lines: readonly PolicyStatusLine[]): string {
  const rows = lines.map((l) => {
    const conditions = l.conditions.map((c) => `${c.type}=${c.status}`).join(',') || '-';
    const proxies = `${l.proxies.connected}/${l.proxies.acked}/${l.proxies.rejected}`;
    const nack = l.lastNack === undefined ? '' : `  last NACK: ${JSON.stringify(l.lastNack.slice(0, 200))}`;
    return `${l.namespace}/${l.name}\t${l.mode}\t${l.programmed ? 'yes' : 'NO'}\t${l.workloads}\t${proxies}\t${conditions}${nack}`;
  });
  return (
    ['POLICY\tMODE\tPROGRAMMED\tWORKLOADS\tPROXIES(conn/ack/rej)\tCONDITIONS', ...rows].join('\n') + '\n'
  );
}

async function fromServe(address: string): Promise<PolicyStatusLine[]> {
  const parsed = parseListenAddress(address);
  if (typeof parsed === 'string') throw new UsageError(`--serve: ${parsed}`);
  const response = await fetch(`http://${formatListenAddress(parsed)}/status`);
  if (!response.ok) throw new Error(`aspen serve answered ${response.status} (no successful build yet?)`);
  const report = (await response.json()) as StatusReport;
  return report.policies;
}

async function fromCluster(options: StatusCliOptions): Promise<PolicyStatusLine[]> {
  const api = loadKubeConfig(options.kubeconfig).makeApiClient(CustomObjectsApi);
  const base = { group: API_GROUP, version: API_VERSION, plural: POLICY_PLURAL };
  const list: unknown =
    options.namespace === undefined
      ? await api.listClusterCustomObject(base)
      : await api.listNamespacedCustomObject({ ...base, namespace: options.namespace });
  const items = record(list)['items'];
  return (Array.isArray(items) ? items : []).map(lineFromPolicy);
}

class UsageError extends Error {}

/** Runs `aspen status`; returns the exit code. */
export async function runStatus(options: StatusCliOptions, io: CliIO): Promise<number> {
  if (options.output !== 'text' && options.output !== 'json') {
    io.stderr('aspen status: -o must be text or json\n');
    return ExitCode.Usage;
  }
  let lines: PolicyStatusLine[];
  try {
    lines = options.serve !== undefined ? await fromServe(options.serve) : await fromCluster(options);
  } catch (error) {
    io.stderr(`aspen status: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? ExitCode.Usage : ExitCode.Problems;
  }
  if (options.namespace !== undefined) lines = lines.filter((l) => l.namespace === options.namespace);
  lines.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  io.stdout(
    options.output === 'json' ? `${JSON.stringify({ policies: lines }, null, 2)}\n` : formatStatus(lines),
  );
  return lines.every((l) => l.programmed) ? ExitCode.Ok : ExitCode.Problems;
}
