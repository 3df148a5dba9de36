/**
 * The pod annotation `aspen.dev/egress` (ADR 0035): the meshed services a workload calls, so its proxy receives only
 * those services' outbound side (src/translate/egress.ts applies it). Value: entries separated by commas or spaces,
 * each `<namespace>/<service>`; `.` is the workload's own namespace and `*` matches any namespace or service, e.g.
 * `"./*, payments/api, shared/*"` (Istio's Sidecar egress host format). An annotation with any entry that cannot be
 * read is ignored as a whole (the workload keeps the whole mesh) and reported by the providers.
 */
/** The pod annotation listing the services a workload calls. */
export const EGRESS_ANNOTATION = 'aspen.dev/egress';

/** One entry of the annotation: a namespace (or `.`/`*`) and a service name (or `*`). */
export interface EgressHost {
  /** A namespace name, `.` (the workload's own) or `*` (any). */
  namespace: string;
  /** A Service name or `*` (any). */
  service: string;
}

/** An entry that is not `<namespace>/<service>`, with why. */
export interface InvalidEgressEntry {
  /** The entry as written. */
  entry: string;
  /** What is wrong with it. */
  reason: string;
}

/** The parsed annotation: `hosts` undefined means the whole mesh (absent or unusable annotation). */
export interface ParsedEgress {
  /** The hosts the workload may call through the mesh; undefined: every meshed service. */
  hosts?: EgressHost[];
  /** Entries that could not be read (then `hosts` is undefined). */
  invalid: InvalidEgressEntry[];
}

/** RFC 1123 label (namespaces) — also accepts the stricter RFC 1035 labels of Service names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function parseEntry(entry: string): EgressHost | InvalidEgressEntry {
  const parts = entry.split('/');
  if (parts.length !== 2) return { entry, reason: 'is not <namespace>/<service>' };
  const [namespace = '', service = ''] = parts;
  if (namespace !== '.' && namespace !== '*' && !DNS_LABEL.test(namespace))
    return { entry, reason: `namespace "${namespace}" is not ".", "*" or a namespace name` };
  if (service !== '*' && !DNS_LABEL.test(service))
    return { entry, reason: `service "${service}" is not "*" or a Service name` };
  return { namespace, service };
}

/** Parses `aspen.dev/egress` from a workload's annotations. */
export function parseEgress(annotations: Readonly<Record<string, string>>): ParsedEgress {
  const value = annotations[EGRESS_ANNOTATION];
  if (value === undefined) return { invalid: [] };
  const entries = value.split(/[\s,]+/).filter((e) => e !== '');
  if (entries.length === 0) return { invalid: [{ entry: value, reason: 'lists no services' }] };
  const hosts: EgressHost[] = [];
  const invalid: InvalidEgressEntry[] = [];
  for (const parsed of entries.map(parseEntry)) {
    if ('reason' in parsed) invalid.push(parsed);
    else hosts.push(parsed);
  }
  return invalid.length > 0 ? { invalid } : { hosts, invalid };
}

/**
 * The problems of an egress annotation, one line each naming the annotation and the entry (empty when it is absent
 * or valid): the file provider and the injector say them in their own context.
 */
export function egressProblems(annotations: Readonly<Record<string, string>>): string[] {
  return parseEgress(annotations).invalid.map(
    (p) => `annotation ${EGRESS_ANNOTATION}: "${p.entry}" ${p.reason}`,
  );
}
