/**
 * The xDS gRPC server's lifecycle: binds a grpc-js server carrying the ADS service (and, later, SDS), and shuts it
 * down gracefully. Transport security is the caller's choice of `ServerCredentials` (TLS from aspen's CA by default;
 * `--xds-insecure` loopback-only checks belong to the `serve` wiring).
 */
import { Server } from '@grpc/grpc-js';
import type { ServerCredentials, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { AggregatedDiscoveryServiceService } from '../../gen/envoy/service/discovery/v3/ads.js';
import type { AdsService } from './ads.js';
import { serializeDiscoveryResponse } from './wire.js';
import type { Logger } from './types.js';

/** The ADS service definition, with state-of-the-world responses serialised from cached encodings (see wire.ts). */
const ADS_SERVICE = {
  ...AggregatedDiscoveryServiceService,
  streamAggregatedResources: {
    ...AggregatedDiscoveryServiceService.streamAggregatedResources,
    responseSerialize: serializeDiscoveryResponse,
  },
} as const;

/** Default time streams get to drain in {@link XdsServer.close} before the server is forced down. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

/** A grpc-js server serving ADS (plus any service added with {@link XdsServer.addService} before listening). */
export class XdsServer {
  private readonly server = new Server();
  private readonly ads: AdsService;
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;
  private bound = false;

  /** Whether the port is bound (readiness: no proxy should be sent here before). */
  get listening(): boolean {
    return this.bound && this.closing === undefined;
  }

  /** Creates the server around an ADS service; nothing listens before {@link listen}. */
  constructor(ads: AdsService, logger: Logger) {
    this.ads = ads;
    this.logger = logger;
    this.server.addService(ADS_SERVICE, ads.handlers());
  }

  /** Adds another service on the same port (the seam for SDS); call before {@link listen}. */
  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    this.server.addService(definition, implementation);
  }

  /** Binds `address` (`host:port`; port 0 picks a free one) and resolves to the bound port. */
  listen(address: string, credentials: ServerCredentials): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, credentials, (error, port) => {
        if (error !== null) {
          reject(error);
          return;
        }
        this.bound = true;
        this.logger.info({ address, port }, 'xDS server listening');
        resolve(port);
      });
    });
  }

  /**
   * Graceful shutdown: stops accepting connections, ends every stream (proxies keep their config and reconnect to
   * another replica), waits up to `graceMs` for calls to drain, then forces the rest down. Idempotent.
   */
  close(graceMs: number = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn({ graceMs }, 'xDS server did not drain in time; forcing shutdown');
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        this.logger.info({}, 'xDS server stopped');
        resolve();
      });
      this.ads.closeStreams();
    });
    return this.closing;
  }
}
