/**
 * Garbage collection, simulated: objects whose every ownerReference points at a uid that no longer exists are
 * deleted (background propagation), repeatedly until nothing more goes.
 */
import { metadataOf, metaString } from './objects.js';
import type { KubeObject } from './objects.js';
import type { ResourceRegistry } from './resources.js';
import type { ObjectStore } from './store.js';

function ownerUids(obj: KubeObject): string[] {
  const refs = metadataOf(obj)['ownerReferences'];
  if (!Array.isArray(refs)) return [];
  return refs.map((ref) => (ref as { uid?: string }).uid ?? '');
}

/** Runs one collection; returns how many objects were deleted. */
export function collectGarbage(store: ObjectStore, registry: ResourceRegistry): number {
  let deleted = 0;
  for (;;) {
    const stored = registry.all().flatMap((type) => store.list(type).map((obj) => ({ type, obj })));
    const live = new Set(stored.map(({ obj }) => metaString(obj, 'uid')));
    const orphans = stored.filter(({ obj }) => {
      const owners = ownerUids(obj);
      return owners.length > 0 && owners.every((uid) => !live.has(uid));
    });
    if (orphans.length === 0) return deleted;
    for (const { type, obj } of orphans) {
      store.remove(type, metaString(obj, 'namespace'), metaString(obj, 'name'));
      deleted += 1;
    }
  }
}
