/** Discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`, `/version`) for the served resource types. */
import type { ResourceRegistry, ResourceType } from './resources.js';

function resourceEntry(type: ResourceType): Record<string, unknown>[] {
  const verbs = type.virtual ? ['create'] : ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  const main = {
    name: type.plural,
    singularName: type.kind.toLowerCase(),
    namespaced: type.namespaced,
    kind: type.kind,
    verbs,
  };
  if (!type.statusSubresource) return [main];
  return [
    main,
    {
      name: `${type.plural}/status`,
      singularName: '',
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: ['get', 'patch', 'update'],
    },
  ];
}

/** The discovery document at `pathname`, or undefined when it is not a discovery path. */
export function discovery(registry: ResourceRegistry, pathname: string): unknown {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/version')
    return { major: '1', minor: '35', gitVersion: 'v1.35.0-aspen-fake', platform: 'linux/amd64' };
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const groups = [
      ...new Set(
        registry
          .all()
          .filter((t) => t.group !== '')
          .map((t) => `${t.group}/${t.version}`),
      ),
    ];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((gv) => {
        const [name = '', version = ''] = gv.split('/');
        const preferred = { groupVersion: gv, version };
        return { name, versions: [preferred], preferredVersion: preferred };
      }),
    };
  }
  const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (match === null) return undefined;
  const group = match[2] ?? '';
  const version = match[1] ?? match[3] ?? '';
  const types = registry.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: types.flatMap(resourceEntry),
  };
}
