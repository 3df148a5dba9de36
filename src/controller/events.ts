/**
 * Kubernetes Events for policy status transitions (`kubectl describe asp` shows them): one core/v1 Event per condition
 * transition, Normal when the condition became healthy, Warning otherwise. Recording is best effort: a failure is
 * logged by the caller and never blocks a status write.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import { API_GROUP_VERSION, POLICY_KIND } from '../api/group.js';
import type { Clock } from '../xds/server/types.js';

/** One Event about a policy. */
export interface PolicyEvent {
  /** Policy namespace (the Event lives there too). */
  namespace: string;
  /** Policy name. */
  name: string;
  /** Policy uid. */
  uid: string;
  /** Normal or Warning. */
  type: 'Normal' | 'Warning';
  /** CamelCase reason, e.g. `ProgrammedTrue`, `Rejected`. */
  reason: string;
  /** For humans. */
  message: string;
}

/** Records Events. */
export interface EventRecorder {
  /** Creates one Event; rejects on an API error. */
  record(event: PolicyEvent): Promise<void>;
}

/** An EventRecorder that records nothing (tests, or Events disabled). */
export const noEvents: EventRecorder = { record: () => Promise.resolve() };

/** Who records the Events. */
export interface EventSource {
  /** `reportingComponent`/`source.component`, e.g. `aspen-controller`. */
  component: string;
  /** `reportingInstance`/`source.host`: the replica id. */
  instance: string;
  /** Event timestamps. */
  clock: Clock;
}

/** Event messages are bounded by the API server (1 KiB in events.k8s.io; kept short here too). */
const MAX_MESSAGE = 1024;

/** The core/v1 Event for `event` (pure; `seq` keeps names unique within one process). */
export function eventObject(event: PolicyEvent, source: EventSource, seq: number): CoreV1Event {
  const now = source.clock.now();
  const time = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const suffix = `${now.getTime().toString(16)}${seq.toString(16).padStart(4, '0')}`;
  const message =
    event.message.length > MAX_MESSAGE ? `${event.message.slice(0, MAX_MESSAGE - 1)}…` : event.message;
  return {
    metadata: { name: `${event.name.slice(0, 200)}.${suffix}`, namespace: event.namespace },
    involvedObject: {
      apiVersion: API_GROUP_VERSION,
      kind: POLICY_KIND,
      namespace: event.namespace,
      name: event.name,
      uid: event.uid,
    },
    type: event.type,
    reason: event.reason,
    message,
    count: 1,
    firstTimestamp: time,
    lastTimestamp: time,
    source: { component: source.component, host: source.instance },
    reportingComponent: source.component,
    reportingInstance: source.instance,
    action: 'StatusChanged',
  };
}

/** An {@link EventRecorder} creating core/v1 Events through client-node. */
export function kubeEventRecorder(kubeConfig: KubeConfig, source: EventSource): EventRecorder {
  const api = kubeConfig.makeApiClient(CoreV1Api);
  let seq = 0;
  return {
    async record(event) {
      seq = (seq + 1) % 0x10000;
      const body = eventObject(event, source, seq);
      await api.createNamespacedEvent({ namespace: event.namespace, body });
    },
  };
}
