/**
 * Validates Kubernetes objects against the OpenAPI v3 schemas of a real kube-apiserver, saved as test data
 * (test/fixtures/chart/openapi/, written by the e2e suite with UPDATE_OPENAPI=1 from the pinned API server's
 * /openapi/v3). Stricter than the server in one way, like kubeconform's strict mode: an object schema with
 * properties and no additionalProperties refuses unknown fields, so a misspelt field in a template fails here.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';

/** A saved schema set: components by name, and the component of each group/version/kind. */
export interface SavedOpenApi {
  /** Kubernetes version the schemas came from. */
  version: string;
  /** `group/version/Kind` (core group empty) → component name. */
  kinds: Record<string, string>;
  /** Component schemas, by name. */
  schemas: Record<string, Record<string, unknown>>;
}

type Schema = Record<string, unknown>;

/** Adds additionalProperties:false to closed object schemas, recursively (a copy). */
export function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) out[k] = k === 'example' ? v : closeObjects(v);
  const open = out['x-kubernetes-preserve-unknown-fields'] === true || 'additionalProperties' in out;
  if (out.properties !== undefined && typeof out.properties === 'object' && !open)
    out.additionalProperties = false;
  return out;
}

/** Validators by group/version/kind over a saved schema set. */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly saved: SavedOpenApi) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    this.ajv.addSchema({ $id: 'k8s', components: { schemas: closeObjects(saved.schemas) } });
  }

  /** Loads a saved schema set from a JSON file. */
  static fromFile(file: string): OpenApiValidator {
    return new OpenApiValidator(JSON.parse(readFileSync(file, 'utf8')) as SavedOpenApi);
  }

  /** True when the set has a schema for this apiVersion and kind. */
  knows(apiVersion: string, kind: string): boolean {
    return this.saved.kinds[gvk(apiVersion, kind)] !== undefined;
  }

  /** Problems of one object as `path: message` lines (empty when valid); throws for an unknown kind. */
  validate(object: { apiVersion: string; kind: string }): string[] {
    const key = gvk(object.apiVersion, object.kind);
    const name = this.saved.kinds[key];
    if (name === undefined) throw new Error(`no saved OpenAPI schema for ${key}`);
    let fn = this.cache.get(name);
    if (fn === undefined) {
      fn = this.ajv.compile({ $ref: `k8s#/components/schemas/${name}` });
      this.cache.set(name, fn);
    }
    return fn(object) ? [] : (fn.errors ?? []).map(describe);
  }
}

/** `group/version/Kind` of an apiVersion and kind. */
export function gvk(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return `${group}/${version}/${kind}`;
}

/** One ajv error as `path: message`. */
function describe(e: ErrorObject): string {
  const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
  return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
}
