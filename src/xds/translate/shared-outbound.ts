/**
 * The outbound side, translated once and shared by every proxy (ADR 0026). Every proxy receives the same outbound
 * services (the translator gives them one array), so the outbound clusters, the outbound listener and the shared-port
 * routes (which differ per caller namespace only) are built once, and the very same message objects go to every
 * proxy: later stages (check, encode, version, serialisation) memoise on them. The memo is keyed by content, so an
 * unchanged outbound side keeps its objects across rebuilds too. Resources are never modified after translation.
 */
import type { OutboundServiceIR } from '../../ir/index.js';
import type { XdsTranslateConfig } from './config.js';
import { outbound } from './outbound.js';
import type { OutboundResources } from './outbound.js';

type ByNamespace = Map<string, OutboundResources>;

/** Canonical JSON of each outbound list seen (computed once per array). */
const contentOf = new WeakMap<readonly OutboundServiceIR[], string>();
/** Translations by outbound content, then config, then caller namespace; the last few contents are kept. */
const byContent = new Map<string, WeakMap<XdsTranslateConfig, ByNamespace>>();
const MAX_CONTENTS = 4;

function contentKey(services: readonly OutboundServiceIR[]): string {
  let key = contentOf.get(services);
  if (key === undefined) {
    key = JSON.stringify(services);
    contentOf.set(services, key);
  }
  return key;
}

function namespacesFor(services: readonly OutboundServiceIR[], config: XdsTranslateConfig): ByNamespace {
  const key = contentKey(services);
  let byConfig = byContent.get(key);
  if (byConfig === undefined) {
    if (byContent.size >= MAX_CONTENTS) byContent.delete(byContent.keys().next().value as string);
    byConfig = new WeakMap();
    byContent.set(key, byConfig);
  }
  let byNamespace = byConfig.get(config);
  if (byNamespace === undefined) {
    byNamespace = new Map();
    byConfig.set(config, byNamespace);
  }
  return byNamespace;
}

/** The outbound resources of a proxy in `callerNamespace`: translated once per content, config and namespace. */
export function sharedOutbound(
  services: readonly OutboundServiceIR[],
  config: XdsTranslateConfig,
  callerNamespace: string,
): OutboundResources {
  const byNamespace = namespacesFor(services, config);
  let out = byNamespace.get(callerNamespace);
  if (out === undefined) {
    out = outbound(services, config, callerNamespace);
    byNamespace.set(callerNamespace, out);
  }
  return out;
}
