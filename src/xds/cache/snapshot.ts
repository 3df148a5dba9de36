/**
 * One proxy's xDS snapshot: per type URL, an opaque version and the already-encoded resources. Independent of resource
 * shapes: a resource is a name and a packed `google.protobuf.Any`, so a push is mostly copying bytes.
 *
 * Versions are a content hash per type (see {@link contentVersion}): identical content keeps its version across
 * rebuilds, so an unchanged type is never re-pushed, and proxies that receive identical resources share one
 * {@link TypeSnapshot} object (see the cache's interning).
 */
import { createHash } from 'node:crypto';
import type { Any } from '../../gen/google/protobuf/any.js';

/** One named resource, already packed into an Any (its `typeUrl` is the resource type, its `value` the bytes). */
export interface EncodedResource {
  /** The xDS resource name (for a ClusterLoadAssignment: its cluster name). */
  readonly name: string;
  /** The packed resource; sent as is in `DiscoveryResponse.resources`. */
  readonly encoded: Any;
}

/** The resources of one type, with the version that names this exact content. Immutable once built. */
export interface TypeSnapshot {
  /** The xDS type URL, e.g. `type.googleapis.com/envoy.config.cluster.v3.Cluster`. */
  readonly typeUrl: string;
  /** Opaque version: a hash of the type URL, names and bytes. Compare for equality only. */
  readonly version: string;
  /** The resources, sorted by name. */
  readonly resources: readonly EncodedResource[];
  /** The same resources by name. */
  readonly byName: ReadonlyMap<string, EncodedResource>;
}

/** Everything one proxy (or proxy class) is served: one consistent set of resources, per type. */
export interface Snapshot {
  /** Per type URL. A type absent here is served as an empty set (see {@link typeSnapshotOf}). */
  readonly types: ReadonlyMap<string, TypeSnapshot>;
}

/** What a caller hands the cache: per type URL, the encoded resources (any order; names unique per type). */
export type SnapshotInput = Readonly<Record<string, readonly EncodedResource[]>>;

/** An inconsistent snapshot input: a caller bug (the translator's checks run before publishing), so it throws. */
export class SnapshotError extends Error {
  /** The type URL the problem is in. */
  readonly typeUrl: string;

  /** Creates the error for one type URL. */
  constructor(typeUrl: string, message: string) {
    super(`${typeUrl}: ${message}`);
    this.name = 'SnapshotError';
    this.typeUrl = typeUrl;
  }
}

/** Per encoded Any (shared by every proxy that receives it): the digest of its type URL and bytes. */
const digests = new WeakMap<Any, string>();

/**
 * The first 16 hex digits of a SHA-256 over an Any's type URL and bytes (length-prefixed). Memoised per Any object
 * (ADR 0026): an encoding shared by many proxies is hashed once.
 */
export function encodedDigest(encoded: Any): string {
  let digest = digests.get(encoded);
  if (digest === undefined) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(Buffer.byteLength(encoded.typeUrl));
    const hash = createHash('sha256').update(length).update(encoded.typeUrl);
    length.writeUInt32BE(encoded.value.length);
    digest = hash.update(length).update(encoded.value).digest('hex').slice(0, 16);
    digests.set(encoded, digest);
  }
  return digest;
}

/**
 * The version of one type's content: the first 16 hex digits of a SHA-256 over the type URL and, in name order, each
 * resource's name and the digest of its Any ({@link encodedDigest}), all length-prefixed or fixed-length so no two
 * different contents hash alike by concatenation. Per proxy this hashes a few bytes per resource, not the encodings.
 */
export function contentVersion(typeUrl: string, sorted: readonly EncodedResource[]): string {
  const parts: string[] = [String(typeUrl.length), typeUrl];
  for (const resource of sorted) {
    parts.push(String(resource.name.length), resource.name, encodedDigest(resource.encoded));
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/**
 * Builds one type's snapshot: sorts by name, checks that names are unique and non-empty and that every Any holds the
 * type it is filed under, and computes the content version. Throws {@link SnapshotError} on a violation.
 */
export function buildTypeSnapshot(typeUrl: string, resources: readonly EncodedResource[]): TypeSnapshot {
  const sorted = [...resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byName = new Map<string, EncodedResource>();
  for (const resource of sorted) {
    if (resource.name === '') {
      throw new SnapshotError(typeUrl, 'a resource has an empty name');
    }
    if (byName.has(resource.name)) {
      throw new SnapshotError(typeUrl, `resource name "${resource.name}" appears twice`);
    }
    if (resource.encoded.typeUrl !== typeUrl) {
      throw new SnapshotError(typeUrl, `resource "${resource.name}" holds ${resource.encoded.typeUrl}`);
    }
    byName.set(resource.name, resource);
  }
  return { typeUrl, version: contentVersion(typeUrl, sorted), resources: sorted, byName };
}

/** Builds a snapshot from caller input, one {@link buildTypeSnapshot} per type URL. */
export function buildSnapshot(input: SnapshotInput): Snapshot {
  const types = new Map<string, TypeSnapshot>();
  for (const typeUrl of Object.keys(input).sort()) {
    types.set(typeUrl, buildTypeSnapshot(typeUrl, input[typeUrl] ?? []));
  }
  return { types };
}

/** The resources of one type in a snapshot; an absent type is an empty set with its own (stable) version. */
export function typeSnapshotOf(snapshot: Snapshot, typeUrl: string): TypeSnapshot {
  return snapshot.types.get(typeUrl) ?? buildTypeSnapshot(typeUrl, []);
}
