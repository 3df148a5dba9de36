/**
 * Run the webhooks on their own for manual tries, outside `aspen controller` (single replica: always the leader):
 *
 *   node dist/src/webhook/standalone.js --trust-bundle ca.pem [--kubeconfig ~/.kube/config] [--namespace aspen-system]
 *     [--listen 0.0.0.0:9443] [--cert-dir <dir>] [--trust-domain cluster.local] [--no-native-sidecars]
 *
 * With `--cert-dir` the serving certificate comes from tls.crt/tls.key/ca.crt there; otherwise aspen manages Secret
 * `aspen-webhook-tls` and patches the caBundle of `aspen-injector` and `aspen-validator` (apply
 * docs/webhook-configurations.yaml first). Stops on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../log.js';
import { kubeWebhookClient, startWebhooks } from './index.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string', default: 'aspen-system' },
    listen: { type: 'string', default: '0.0.0.0:9443' },
    'cert-dir': { type: 'string' },
    'trust-bundle': { type: 'string' },
    'trust-domain': { type: 'string', default: 'cluster.local' },
    'no-native-sidecars': { type: 'boolean', default: false },
  },
});

if (values['trust-bundle'] === undefined) {
  process.stderr.write('standalone webhooks: --trust-bundle <pem file> is required\n');
  process.exit(2);
}
const bundlePath = values['trust-bundle'];
const kubeConfig = new KubeConfig();
if (values.kubeconfig === undefined) kubeConfig.loadFromDefault();
else kubeConfig.loadFromFile(values.kubeconfig);
const logger = createLogger({ level: 'info', pretty: process.stderr.isTTY });
const certDir = values['cert-dir'];
const webhooks = await startWebhooks(
  {
    listen: values.listen,
    namespace: values.namespace,
    trustDomain: values['trust-domain'],
    tls: certDir === undefined ? { source: 'self' } : { source: 'external', dir: certDir },
    injection: { nativeSidecars: !values['no-native-sidecars'] },
  },
  {
    client: kubeWebhookClient(kubeConfig),
    isLeader: () => true,
    trustBundle: () => readFileSync(bundlePath, 'utf8'),
    logger,
  },
);
logger.info({ port: webhooks.port }, 'webhooks listening');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void webhooks.close());
}
