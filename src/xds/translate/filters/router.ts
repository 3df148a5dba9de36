/** The router: always last. Envoy's own response headers are suppressed so peers learn nothing about the proxy. */
import { Router } from '../../../gen/envoy/extensions/filters/http/router/v3/router.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { packAny } from '../../proto/any.js';
import type { FilterOutput, HttpFilterModule } from './module.js';

/** The router filter module. */
export const routerFilter: HttpFilterModule = {
  id: 'router',
  build(): FilterOutput {
    const config = Router.fromPartial({ suppressEnvoyHeaders: true });
    return {
      httpFilters: [
        HttpFilter.fromPartial({
          name: 'envoy.filters.http.router',
          configType: { $case: 'typedConfig', value: packAny(config) },
        }),
      ],
      clusters: [],
    };
  },
};
