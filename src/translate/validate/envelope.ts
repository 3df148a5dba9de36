/** Checks of the parts of a policy object around its spec: apiVersion, kind, metadata, top-level fields. */
import { API_GROUP, API_GROUP_VERSION, API_VERSION, POLICY_KIND } from '../../api/group.js';
import { DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN } from '../../api/v1alpha1/common.js';
import type { Problem } from '../problem.js';

const TOP_LEVEL_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
const DNS_SUBDOMAIN = new RegExp(DNS_SUBDOMAIN_PATTERN);
const DNS_LABEL = new RegExp(DNS_LABEL_PATTERN);

/** apiVersion and kind problems; `unsupportedVersion` tells the status reason apart. */
export function typeProblems(object: Record<string, unknown>): {
  problems: Problem[];
  unsupportedVersion: boolean;
} {
  const apiVersion = object.apiVersion;
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${API_GROUP}/`)) {
    return {
      problems: [{ path: ['apiVersion'], message: `must be ${API_GROUP_VERSION}` }],
      unsupportedVersion: false,
    };
  }
  if (object.kind !== POLICY_KIND) {
    return {
      problems: [
        { path: ['kind'], message: `unknown kind in ${API_GROUP}: this aspen knows ${POLICY_KIND}` },
      ],
      unsupportedVersion: false,
    };
  }
  if (apiVersion !== API_GROUP_VERSION) {
    const version = apiVersion.slice(API_GROUP.length + 1);
    return {
      problems: [
        {
          path: ['apiVersion'],
          message: `version ${version} of ${API_GROUP} is not supported: this aspen serves ${API_VERSION}`,
        },
      ],
      unsupportedVersion: true,
    };
  }
  return { problems: [], unsupportedVersion: false };
}

/** Unknown top-level fields, metadata problems and a missing spec. */
export function envelopeProblems(object: Record<string, unknown>): Problem[] {
  const problems: Problem[] = Object.keys(object)
    .filter((key) => !TOP_LEVEL_FIELDS.has(key))
    .map((key) => ({ path: [key], message: 'unknown field' }));
  problems.push(...metadataProblems(object.metadata));
  if (!isObject(object.spec)) problems.push({ path: ['spec'], message: 'required object is missing' });
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function metadataProblems(metadata: unknown): Problem[] {
  if (!isObject(metadata)) return [{ path: ['metadata'], message: 'required object is missing' }];
  const { name, namespace } = metadata;
  const problems: Problem[] = [];
  if (typeof name !== 'string' || name === '') {
    problems.push({ path: ['metadata', 'name'], message: 'required field is missing' });
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    problems.push({
      path: ['metadata', 'name'],
      message: 'must be a DNS subdomain of at most 253 characters',
    });
  }
  if (
    namespace !== undefined &&
    !(typeof namespace === 'string' && DNS_LABEL.test(namespace) && namespace.length <= 63)
  ) {
    problems.push({
      path: ['metadata', 'namespace'],
      message: 'must be a DNS label of at most 63 characters',
    });
  }
  return problems;
}
