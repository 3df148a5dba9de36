/** values.schema.json refuses values that cannot work, naming the field, before anything is applied. */
import { expect } from 'chai';
import { helmTemplateRaw } from '../../scripts/k8s/chart.js';

interface Refusal {
  why: string;
  values: Record<string, unknown>;
  field: string;
}

const refused: Refusal[] = [
  {
    why: 'in-memory rate limits with two dataplane replicas (each would count alone)',
    values: { dataplane: { replicas: 2 } },
    field: '/dataplane/replicas',
  },
  {
    why: 'the Redis backend without an address',
    values: { rateLimit: { backend: 'redis' } },
    field: '/rateLimit/redis/address',
  },
  {
    why: 'three controllers without leader election (three status writers)',
    values: { controller: { replicas: 3, leaderElection: { enabled: false } } },
    field: '/controller/leaderElection/enabled',
  },
  {
    why: 'an injector timeout above 10 s',
    values: { webhook: { injector: { timeoutSeconds: 30 } } },
    field: '/webhook/injector/timeoutSeconds',
  },
  {
    why: 'an unknown certificate source',
    values: { webhook: { certificateSource: 'vault' } },
    field: '/webhook/certificateSource',
  },
  {
    why: 'a ServiceMonitor without metrics',
    values: { metrics: { enabled: false, serviceMonitor: { enabled: true } } },
    field: '/metrics/serviceMonitor/enabled',
  },
  {
    why: 'an empty redirect image',
    values: { injection: { redirectImage: '' } },
    field: '/injection/redirectImage',
  },
  {
    why: 'a proxy image with a space',
    values: { injection: { proxyImage: 'envoy latest' } },
    field: '/injection/proxyImage',
  },
  { why: 'a misspelt value', values: { controller: { replica: 2 } }, field: '/controller' },
  { why: 'a tag in the digest field', values: { image: { digest: 'latest' } }, field: '/image/digest' },
  { why: 'a trust domain with a path', values: { trustDomain: 'cluster.local/x' }, field: '/trustDomain' },
  { why: 'an unknown log format', values: { logging: { format: 'text' } }, field: '/logging/format' },
  { why: 'zero controllers', values: { controller: { replicas: 0 } }, field: '/controller/replicas' },
  {
    why: 'a Redis address without a port',
    values: { rateLimit: { backend: 'redis', redis: { address: 'redis' } } },
    field: '/rateLimit/redis/address',
  },
];

describe('chart: values.schema.json', function () {
  this.timeout(60_000);

  for (const r of refused) {
    it(`refuses ${r.why}, naming ${r.field}`, async () => {
      const result = await helmTemplateRaw({ values: r.values });
      expect(result.code).to.not.equal(0);
      expect(result.stderr).to.include("values don't meet the specifications of the schema");
      expect(result.stderr).to.include(`'${r.field}'`);
    });
  }

  it('accepts two dataplane replicas with the Redis backend', async () => {
    const result = await helmTemplateRaw({
      values: {
        dataplane: { replicas: 2 },
        rateLimit: { backend: 'redis', redis: { address: 'redis:6379' } },
      },
    });
    expect(result.code, result.stderr).to.equal(0);
  });

  it('accepts the in-memory backend when the dataplane is disabled, whatever its replica count', async () => {
    const result = await helmTemplateRaw({ values: { dataplane: { enabled: false, replicas: 3 } } });
    expect(result.code, result.stderr).to.equal(0);
  });
});
