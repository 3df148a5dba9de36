/**
 * The inbound capture listener. iptables redirects every inbound connection to the sidecar's inbound port; the
 * original_dst listener filter restores the port the peer dialled, and tls_inspector tells TLS from plaintext. Each
 * application port gets filter chains matched on that port and the transport (see `chainsFor`); a connection to any
 * other port, or with a transport its port does not accept, matches no chain and is closed (strict default).
 */
import type { AccessLog } from '../../gen/envoy/config/accesslog/v3/accesslog.js';
import {
  Filter,
  FilterChain,
  ListenerFilter,
} from '../../gen/envoy/config/listener/v3/listener_components.js';
import { Listener, Listener_DrainType } from '../../gen/envoy/config/listener/v3/listener.js';
import { TrafficDirection } from '../../gen/envoy/config/core/v3/base.js';
import type { HttpFilter } from '../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { OriginalDst } from '../../gen/envoy/extensions/filters/listener/original_dst/v3/original_dst.js';
import { TlsInspector } from '../../gen/envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.js';
import type { XdsTranslateConfig } from './config.js';
import { socketAddress, typedConfig } from './common.js';
import type { AccessLogContext } from './access-log.js';
import { HCM_FILTER, inboundHcm } from './hcm.js';
import { INBOUND_LISTENER } from './names.js';
import { segmentationFilter } from './segmentation.js';
import { downstreamTlsSocket } from './tls.js';

/** Transport protocol tls_inspector reports for TLS connections. */
export const TLS_TRANSPORT = 'tls';
/** Transport protocol tls_inspector reports for everything else. */
export const PLAINTEXT_TRANSPORT = 'raw_buffer';

/** One port's ingredients for its filter chains. */
export interface InboundPortChains {
  /** The port being built (the workload only as far as its access log names it). */
  ctx: AccessLogContext;
  /** Its HTTP filters, in order. */
  httpFilters: HttpFilter[];
  /** Its access logs. */
  accessLog: AccessLog[];
}

/** The inbound listener with the given chains (every port's), or undefined when there is none (nothing to accept). */
export function inboundListener(
  config: XdsTranslateConfig,
  filterChains: FilterChain[],
): Listener | undefined {
  if (filterChains.length === 0) return undefined;
  return Listener.fromPartial({
    name: INBOUND_LISTENER,
    address: socketAddress('0.0.0.0', config.sidecar.inbound),
    trafficDirection: TrafficDirection.INBOUND,
    listenerFilters: [
      ListenerFilter.fromPartial({
        name: 'envoy.filters.listener.original_dst',
        configType: typedConfig(OriginalDst.fromPartial({})),
      }),
      ListenerFilter.fromPartial({
        name: 'envoy.filters.listener.tls_inspector',
        configType: typedConfig(TlsInspector.fromPartial({})),
      }),
    ],
    filterChains,
    drainType: Listener_DrainType.DEFAULT,
  });
}

/**
 * The chains of one port. STRICT: one chain for TLS, which requires a client certificate. PERMISSIVE: that chain and a
 * plaintext one. DISABLE: plaintext only. Both chains carry the same filters: segmentation first, then HTTP.
 */
export function chainsFor(port: InboundPortChains): FilterChain[] {
  const { ctx } = port;
  const mode = ctx.port.enforce.mtls;
  const filters = networkFilters(port);
  const chains: FilterChain[] = [];
  if (mode !== 'DISABLE') chains.push(chain(ctx.port.port, TLS_TRANSPORT, filters));
  if (mode !== 'STRICT') chains.push(chain(ctx.port.port, PLAINTEXT_TRANSPORT, filters));
  return chains;
}

/** A filter chain for one port and transport. */
function chain(port: number, transport: string, filters: Filter[]): FilterChain {
  return FilterChain.fromPartial({
    name: `inbound|${port}|${transport}`,
    filterChainMatch: { destinationPort: port, transportProtocol: transport },
    filters,
    transportSocket: transport === TLS_TRANSPORT ? downstreamTlsSocket() : undefined,
  });
}

/** Segmentation (when configured), then the HTTP connection manager. */
function networkFilters(port: InboundPortChains): Filter[] {
  const hcm = Filter.fromPartial({
    name: HCM_FILTER,
    configType: typedConfig(inboundHcm(port.ctx, port.httpFilters, port.accessLog)),
  });
  const segmentation = segmentationFilter(port.ctx.port);
  return segmentation === undefined ? [hcm] : [segmentation, hcm];
}
