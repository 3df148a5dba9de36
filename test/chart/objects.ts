/** Small accessors over rendered chart objects, shared by the chart tests. */
import type { K8sObject } from '../../scripts/k8s/chart.js';

/** A container of a pod template, with the fields the tests read. */
export interface Container {
  name: string;
  image: string;
  args?: string[];
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}

/** A pod spec, with the fields the tests read. */
export interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; [k: string]: unknown }[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  affinity?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
}

/** The one object of a kind and name; throws when it is missing. */
export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} among ${ids(objects).join(', ')}`);
  return found;
}

/** `Kind/name` of every object, sorted. */
export function ids(objects: K8sObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
}

/** The pod spec of a Deployment or Job. */
export function podSpec(o: K8sObject): PodSpec {
  const spec = o.spec as { template: { spec: PodSpec } };
  return spec.template.spec;
}

/** The args of the first container of a Deployment. */
export function args(o: K8sObject): string[] {
  return podSpec(o).containers[0]?.args ?? [];
}

type Fields = Record<string, unknown>;

/** The seccomp profile type of a security context, if any. */
const seccompType = (sc: Fields): string | undefined =>
  (sc.seccompProfile as { type?: string } | undefined)?.type;

/** Why one container breaks the restricted profile, given its pod's security context. */
function containerViolations(c: Container, podSc: Fields): string[] {
  const sc = c.securityContext ?? {};
  const caps = (sc.capabilities ?? {}) as { drop?: string[]; add?: string[] };
  const seccomp = seccompType(sc) ?? seccompType(podSc);
  const checks: [boolean, string][] = [
    [sc.allowPrivilegeEscalation !== false, 'allowPrivilegeEscalation is not false'],
    [sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true, 'runAsNonRoot is not true'],
    [!(caps.drop ?? []).includes('ALL'), 'capabilities do not drop ALL'],
    [(caps.add ?? []).some((a) => a !== 'NET_BIND_SERVICE'), 'adds capabilities'],
    [seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost', 'no seccomp profile'],
    [sc.readOnlyRootFilesystem !== true, 'root file system is writable'],
    [sc.privileged === true, 'privileged'],
  ];
  return checks.filter(([bad]) => bad).map(([, why]) => `${c.name}: ${why}`);
}

/**
 * Why a pod spec breaks the Pod Security Standard "restricted" (empty when it satisfies it): non-root, no privilege
 * escalation, all capabilities dropped, RuntimeDefault seccomp, no host namespaces, plus aspen's own rule of a
 * read-only root file system.
 */
export function restrictedViolations(pod: PodSpec): string[] {
  const podSc = pod.securityContext ?? {};
  const host =
    pod.hostNetwork === true || pod.hostPID === true || pod.hostIPC === true ? ['host namespace'] : [];
  return [
    ...host,
    ...[...pod.containers, ...(pod.initContainers ?? [])].flatMap((c) => containerViolations(c, podSc)),
  ];
}
