/**
 * The resource types the fake API server serves: group, version, plural, kind, scope and whether a `status`
 * subresource splits writes. Generic: add a row to serve another type.
 */

/** One served resource type. */
export interface ResourceType {
  /** API group; '' for the core group. */
  readonly group: string;
  /** API version within the group. */
  readonly version: string;
  /** Plural resource name in URLs. */
  readonly plural: string;
  /** Kind of one object. */
  readonly kind: string;
  /** Namespaced (true) or cluster-scoped (false). */
  readonly namespaced: boolean;
  /** Whether `/status` is a subresource (main writes ignore status, status writes ignore everything else). */
  readonly statusSubresource: boolean;
  /** Create-only resources (TokenReview) are answered, never stored. */
  readonly virtual?: boolean;
}

/** `apiVersion` of a resource type (`v1` or `group/version`). */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** A stable key for a resource type: `plural.group/version` (`pods./v1` for core). */
export function typeKey(type: ResourceType): string {
  return `${type.plural}.${type.group}/${type.version}`;
}

/** The resource types served by default. */
export const DEFAULT_RESOURCES: readonly ResourceType[] = [
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    statusSubresource: true,
  },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, statusSubresource: true },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    kind: 'Service',
    namespaced: true,
    statusSubresource: true,
  },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, statusSubresource: false },
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    statusSubresource: false,
  },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, statusSubresource: false },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
    statusSubresource: false,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    kind: 'NetworkPolicy',
    namespaced: true,
    statusSubresource: false,
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    kind: 'Lease',
    namespaced: true,
    statusSubresource: false,
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
    statusSubresource: false,
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    plural: 'tokenreviews',
    kind: 'TokenReview',
    namespaced: false,
    statusSubresource: false,
    virtual: true,
  },
  {
    group: 'aspen.dev',
    version: 'v1alpha1',
    plural: 'apisecuritypolicies',
    kind: 'ApiSecurityPolicy',
    namespaced: true,
    statusSubresource: true,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
    statusSubresource: false,
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
    namespaced: false,
    statusSubresource: false,
  },
];

/** Looks resource types up by URL parts and by apiVersion/kind. */
export class ResourceRegistry {
  private readonly types: readonly ResourceType[];

  /** Serves `types`. */
  constructor(types: readonly ResourceType[]) {
    this.types = types;
  }

  /** Every served type. */
  all(): readonly ResourceType[] {
    return this.types;
  }

  /** The type at `/api(s)/<group>/<version>/<plural>`, if served. */
  byPath(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** The type of an object with this apiVersion and kind; throws when not served. */
  byKind(apiVersion: string, kind: string): ResourceType {
    const found = this.types.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
    if (found === undefined) throw new Error(`fake apiserver: no resource serves ${apiVersion} ${kind}`);
    return found;
  }
}
