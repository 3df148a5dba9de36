/**
 * What `aspen serve` runs besides the control plane: the dataplane (per-request services on a loopback port, fed
 * from each successful load) and the loopback-only admin endpoint that `aspen status --serve` reads. Both optional.
 */
import type { Registry } from 'prom-client';
import type { CaState } from '../ca/types.js';
import { startServeDataplane } from '../dataplane/serve.js';
import type { ServeDataplane } from '../dataplane/serve.js';
import type { AdsService } from '../xds/server/ads.js';
import type { Clock, Logger } from '../xds/server/types.js';
import type { Timers } from './debounce.js';
import type { XdsTranslateConfig } from '../xds/translate/config.js';
import { formatListenAddress } from './address.js';
import type { ListenAddress } from './address.js';
import { adminAddressProblem, adminHandler, statusReport } from './admin.js';
import { listenHttp } from './http.js';
import type { HttpEndpoint } from './http.js';
import type { Loaded } from './runner.js';

/** The options the extras read. */
export interface ExtrasOptions {
  /** SPIFFE trust domain. */
  trustDomain: string;
  /** Translation settings (the dataplane identity sidecars check). */
  xds: XdsTranslateConfig;
  /** Dataplane address, if any. */
  dataplaneListen?: ListenAddress;
  /** Admin address, if any (loopback only). */
  adminListen?: ListenAddress;
}

/** The dataplane and admin endpoint of a serve run. */
export class ServeExtras {
  private dataplane: ServeDataplane | undefined;
  private admin: HttpEndpoint | undefined;
  private last: Loaded | undefined;
  private ads: AdsService | undefined;

  /** Port of the dataplane, when started. */
  get dataplanePort(): number | undefined {
    return this.dataplane?.port;
  }

  /** Port of the admin endpoint, when started. */
  get adminPort(): number | undefined {
    return this.admin?.port;
  }

  /** A successful load: feeds the dataplane, remembered for the status report. */
  loaded(loaded: Loaded): void {
    this.last = loaded;
    this.dataplane?.load({ policies: loaded.rawPolicies, secrets: loaded.secrets });
  }

  /** Starts what the options ask for; on failure nothing stays open. */
  async start(
    options: ExtrasOptions,
    env: { ca: CaState; ads: AdsService; logger: Logger; registry: Registry; clock: Clock; timers: Timers },
  ): Promise<void> {
    this.ads = env.ads;
    if (options.adminListen !== undefined) {
      const problem = adminAddressProblem(options.adminListen);
      if (problem !== undefined) throw new Error(problem);
    }
    if (options.dataplaneListen !== undefined) {
      this.dataplane = await startServeDataplane(
        {
          listen: formatListenAddress(options.dataplaneListen),
          ca: env.ca,
          trustDomain: options.trustDomain,
          identity: options.xds.dataplaneIdentity,
        },
        env,
      );
      if (this.last !== undefined) {
        this.dataplane.load({ policies: this.last.rawPolicies, secrets: this.last.secrets });
      }
    }
    if (options.adminListen !== undefined) {
      try {
        this.admin = await listenHttp(
          options.adminListen,
          adminHandler(() => this.report()),
        );
      } catch (error) {
        await this.close();
        throw error;
      }
      env.logger.info({ port: this.admin.port }, 'admin endpoint listening (loopback): GET /status');
    }
  }

  private report(): ReturnType<typeof statusReport> | undefined {
    const last = this.last;
    if (last === undefined || this.ads === undefined) return undefined;
    return statusReport({
      policies: last.rawPolicies,
      statuses: last.statuses,
      proxies: last.proxies,
      streams: this.ads.streams(),
      rejections: this.ads.standingRejections(),
    });
  }

  /** Stops both. */
  async close(): Promise<void> {
    await this.admin?.close();
    this.admin = undefined;
    await this.dataplane?.close();
    this.dataplane = undefined;
  }
}
