/**
 * The fake API server's object store: objects per resource type, one global resourceVersion counter, an event
 * history that watches replay from a resourceVersion, and compaction (watches from before it get 410 Gone).
 * Writes follow the API server's rules the controller relies on: 409 on a resourceVersion mismatch, status
 * subresource split, generation bumps on spec changes, no-op writes leave the object (and its resourceVersion) alone.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ApiError, conflict, notFound } from './errors.js';
import { clone, metadataOf, metaString, specPart } from './objects.js';
import type { KubeObject } from './objects.js';
import { typeKey } from './resources.js';
import type { ResourceType } from './resources.js';

/** A change, as a watch reports it. */
export interface StoreEvent {
  /** ADDED, MODIFIED or DELETED. */
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The resource type of the object. */
  readonly resource: ResourceType;
  /** The object after the change (for DELETED: as deleted, with the deletion's resourceVersion). */
  readonly object: KubeObject;
  /** The change's position in the global order. */
  readonly revision: number;
}

/** Which part of an object a write may change. */
export type WritePart = 'main' | 'status';

/** Options of {@link ObjectStore}. */
export interface StoreOptions {
  /** Encode resourceVersions as non-numeric strings, to prove clients treat them as opaque. */
  readonly opaqueResourceVersions?: boolean;
  /** Clock for creationTimestamp. */
  readonly now?: () => Date;
}

type Listener = (event: StoreEvent) => void;

const OPAQUE_PREFIX = 'rv-';

/** See the module comment. */
export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private revision = 1;
  private compactedAt = 0;
  private readonly opaque: boolean;
  private readonly now: () => Date;

  /** An empty store. */
  constructor(options: StoreOptions = {}) {
    this.opaque = options.opaqueResourceVersions ?? false;
    this.now = options.now ?? ((): Date => new Date());
  }

  /** The resourceVersion string of a revision. */
  encode(revision: number): string {
    return this.opaque ? `${OPAQUE_PREFIX}${revision.toString(36)}` : String(revision);
  }

  /** The revision of a resourceVersion string; undefined when it is not one this store issued. */
  decode(resourceVersion: string): number | undefined {
    const body = this.opaque ? resourceVersion.replace(OPAQUE_PREFIX, '') : resourceVersion;
    if (this.opaque && !resourceVersion.startsWith(OPAQUE_PREFIX)) return undefined;
    const value = this.opaque ? parseInt(body, 36) : Number(body);
    return Number.isInteger(value) && value >= 0 ? value : undefined;
  }

  /** The current resourceVersion (of the last change). */
  currentVersion(): string {
    return this.encode(this.revision);
  }

  /**
   * Forgets history: a watch from any resourceVersion issued so far answers 410 Gone. The revision advances, so a
   * list made afterwards returns a resourceVersion that can be watched from.
   */
  compact(): void {
    this.revision += 1;
    this.compactedAt = this.revision;
    this.history.length = 0;
  }

  /** Events after `revision`, or undefined when history before it was compacted. */
  eventsSince(revision: number): StoreEvent[] | undefined {
    if (revision < this.compactedAt) return undefined;
    return this.history.filter((e) => e.revision > revision);
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every object of a type (in one namespace when given), sorted by namespace/name, as copies. */
  list(resource: ResourceType, namespace?: string): KubeObject[] {
    const bucket = this.objects.get(typeKey(resource)) ?? new Map<string, KubeObject>();
    return [...bucket.entries()]
      .filter(([key]) => namespace === undefined || key.startsWith(`${namespace}/`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => clone(obj));
  }

  /** One object (a copy), or undefined. */
  get(resource: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const found = this.bucket(resource).get(`${namespace}/${name}`);
    return found === undefined ? undefined : clone(found);
  }

  /** Creates an object; 409 AlreadyExists when the name is taken. `generateName` is honoured. */
  create(resource: ResourceType, namespace: string, input: KubeObject): KubeObject {
    const obj = clone(input);
    const meta = metadataOf(obj);
    if (metaString(obj, 'name') === '' && metaString(obj, 'generateName') !== '') {
      meta['name'] = `${metaString(obj, 'generateName')}${randomUUID().slice(0, 5)}`;
    }
    const name = metaString(obj, 'name');
    if (name === '') throw new ApiError(422, 'Invalid', `${resource.kind}: metadata.name: Required value`);
    const key = `${namespace}/${name}`;
    if (this.bucket(resource).has(key))
      throw new ApiError(409, 'AlreadyExists', `${resource.plural} "${name}" already exists`);
    if (resource.namespaced) meta['namespace'] = namespace;
    else delete meta['namespace'];
    meta['uid'] = randomUUID();
    meta['creationTimestamp'] = this.now()
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    meta['generation'] = 1;
    if (resource.statusSubresource) delete obj['status'];
    return this.commit(resource, key, obj, 'ADDED');
  }

  /**
   * Replaces an object (PUT) or the part `part` of it. A non-empty `metadata.resourceVersion` must match the
   * stored one (409 otherwise). Returns the stored object.
   */
  replace(resource: ResourceType, namespace: string, input: KubeObject, part: WritePart): KubeObject {
    const name = metaString(input, 'name');
    const key = `${namespace}/${name}`;
    const old = this.bucket(resource).get(key);
    if (old === undefined) throw notFound(`${resource.plural} "${name}"`);
    const sentVersion = metaString(input, 'resourceVersion');
    if (sentVersion !== '' && sentVersion !== metaString(old, 'resourceVersion'))
      throw conflict(`${resource.plural} "${name}"`);
    const next = part === 'status' ? statusWrite(old, input) : mainWrite(resource, old, input);
    if (isDeepStrictEqual(next, old)) return clone(old);
    return this.commit(resource, key, next, 'MODIFIED');
  }

  /** Deletes an object; 404 when missing. Returns it as deleted. */
  remove(resource: ResourceType, namespace: string, name: string): KubeObject {
    const key = `${namespace}/${name}`;
    const old = this.bucket(resource).get(key);
    if (old === undefined) throw notFound(`${resource.plural} "${name}"`);
    this.bucket(resource).delete(key);
    return this.record(resource, clone(old), 'DELETED');
  }

  private bucket(resource: ResourceType): Map<string, KubeObject> {
    const key = typeKey(resource);
    let found = this.objects.get(key);
    if (found === undefined) {
      found = new Map();
      this.objects.set(key, found);
    }
    return found;
  }

  private commit(resource: ResourceType, key: string, obj: KubeObject, type: StoreEvent['type']): KubeObject {
    const stored = this.record(resource, obj, type);
    this.bucket(resource).set(key, stored);
    return clone(stored);
  }

  private record(resource: ResourceType, obj: KubeObject, type: StoreEvent['type']): KubeObject {
    this.revision += 1;
    metadataOf(obj)['resourceVersion'] = this.encode(this.revision);
    const event: StoreEvent = { type, resource, object: clone(obj), revision: this.revision };
    this.history.push(event);
    for (const listener of [...this.listeners]) listener(event);
    return obj;
  }
}

/** A main-resource write: status is kept from `old` (when a subresource), identity fields too; generation bumps. */
function mainWrite(resource: ResourceType, old: KubeObject, input: KubeObject): KubeObject {
  const next = clone(input);
  const meta = metadataOf(next);
  const oldMeta = metadataOf(old);
  for (const field of ['uid', 'creationTimestamp', 'namespace', 'resourceVersion', 'generation']) {
    if (oldMeta[field] === undefined) delete meta[field];
    else meta[field] = oldMeta[field];
  }
  if (resource.statusSubresource) {
    if (old['status'] === undefined) delete next['status'];
    else next['status'] = clone(old['status']);
  }
  if (!isDeepStrictEqual(specPart(next), specPart(old)))
    meta['generation'] = Number(oldMeta['generation'] ?? 0) + 1;
  return next;
}

/** A status write: everything but status is kept from `old`. */
function statusWrite(old: KubeObject, input: KubeObject): KubeObject {
  const next = clone(old);
  if (input['status'] === undefined) delete next['status'];
  else next['status'] = clone(input['status']);
  return next;
}
