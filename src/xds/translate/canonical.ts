/** The translated resources as proto3 canonical JSON, as `aspen render` prints them and the golden files hold them. */
import type { JsonValue } from '../proto/json.js';
import { toCanonicalJson } from '../proto/json.js';
import type { XdsResources } from './resources.js';
import { byTypeUrl } from './resources.js';

/** One xDS type's resources in canonical JSON, sorted by name. */
export interface CanonicalGroup {
  /** The xDS type URL. */
  typeUrl: string;
  /** Each resource's canonical JSON (without a top-level `@type`: the group names the type). */
  resources: JsonValue[];
}

/** The non-empty groups, in the fixed type order of `byTypeUrl`. */
export function canonicalResources(resources: XdsResources): CanonicalGroup[] {
  return byTypeUrl(resources)
    .filter((group) => group.resources.length > 0)
    .map((group) => ({
      typeUrl: group.typeUrl,
      resources: group.resources.map((r) => toCanonicalJson(group.typeUrl, r.message)),
    }));
}
