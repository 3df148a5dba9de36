/**
 * The webhook and injection flags of `aspen controller` and the extensions they start: defaults (images, xDS
 * address from the namespace), lists, usage errors, and the webhook TLS source.
 */
import { expect } from 'chai';
import { controllerExtensions, webhookTls } from '../../src/cli/controller-extensions.js';
import { CONTROLLER_DEFAULTS, listOf, resolveControllerFlags } from '../../src/cli/controller-flags.js';
import type { ControllerCliOptions } from '../../src/cli/controller-flags.js';
import { DEFAULT_IMAGES } from '../../src/webhook/inject/settings.js';

const ENV = { env: { POD_NAMESPACE: 'aspen-prod' }, hostname: 'host' };

function flags(overrides: Partial<ControllerCliOptions> = {}): ControllerCliOptions {
  return { ...CONTROLLER_DEFAULTS, leaderElect: true, ...overrides };
}

describe('aspen controller webhook and injection flags', () => {
  it('defaults the images and the injected xDS address from the namespace', () => {
    const resolved = resolveControllerFlags(flags(), ENV);
    if (Array.isArray(resolved)) throw new Error(resolved.join('; '));
    expect(resolved.injection).to.deep.equal({
      images: DEFAULT_IMAGES,
      xdsAddress: 'aspen.aspen-prod.svc:15010',
      excludedNamespaces: [],
    });
    expect(webhookTls(resolved.webhook, 'aspen-prod')).to.deep.equal({ source: 'self' });
    expect(controllerExtensions(resolved)).to.have.length(3);
  });

  it('takes images, address, exclusions and extra DNS names from the flags', () => {
    const resolved = resolveControllerFlags(
      flags({
        proxyImage: 'r.example/envoy:1',
        redirectImage: 'r.example/redirect:1',
        aspenImage: 'r.example/aspen:1',
        injectionXdsAddress: 'xds.example:443',
        injectionExcludedNamespaces: 'legacy, batch,',
        webhookExtraDnsNames: 'localhost',
      }),
      ENV,
    );
    if (Array.isArray(resolved)) throw new Error(resolved.join('; '));
    expect(resolved.injection).to.deep.equal({
      images: { proxy: 'r.example/envoy:1', redirect: 'r.example/redirect:1', aspen: 'r.example/aspen:1' },
      xdsAddress: 'xds.example:443',
      excludedNamespaces: ['legacy', 'batch'],
    });
    expect(webhookTls(resolved.webhook, 'aspen-prod')).to.deep.equal({
      source: 'self',
      dnsNames: ['aspen.aspen-prod.svc', 'aspen.aspen-prod.svc.cluster.local', 'localhost'],
    });
  });

  it('uses the external directory for cert-manager certificates', () => {
    const resolved = resolveControllerFlags(
      flags({ webhookCertSource: 'external', webhookCertDir: '/etc/aspen/webhook-tls' }),
      ENV,
    );
    if (Array.isArray(resolved)) throw new Error(resolved.join('; '));
    expect(webhookTls(resolved.webhook, 'x')).to.deep.equal({
      source: 'external',
      dir: '/etc/aspen/webhook-tls',
    });
  });

  it('reports bad images and addresses as usage errors naming the flag', () => {
    const problems = resolveControllerFlags(
      flags({ proxyImage: 'has space', redirectImage: '', injectionXdsAddress: 'no-port' }),
      ENV,
    );
    expect(problems).to.be.an('array');
    const text = (problems as string[]).join('\n');
    expect(text).to.include('--proxy-image');
    expect(text).to.include('--redirect-image');
    expect(text).to.include('--injection-xds-address');
  });

  it('splits comma-separated lists', () => {
    expect(listOf(undefined)).to.deep.equal([]);
    expect(listOf(' a ,,b ')).to.deep.equal(['a', 'b']);
  });
});
