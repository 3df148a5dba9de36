/**
 * The CRD on a real API server: it installs and becomes Established, the example policies are accepted, schema and
 * CEL rules refuse what they should with the field path, printer columns and the status subresource behave as
 * `kubectl get asp` shows them. None of this needs the controller.
 */
import { expect } from 'chai';
import path from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../../scripts/k8s/chart.js';
import { cluster } from './harness/shared.js';

const NS = 'e2e-crd';

/** A policy in the test namespace with the given spec. */
const policy = (name: string, spec: Record<string, unknown>): string =>
  stringify({
    apiVersion: 'aspen.dev/v1alpha1',
    kind: 'ApiSecurityPolicy',
    metadata: { name, namespace: NS },
    spec,
  });

/** kubectl apply (server-side, strict field validation) of one manifest; resolves with the result. */
const apply = (yaml: string): ReturnType<ReturnType<typeof cluster>['withManifest']> =>
  cluster().withManifest(yaml, ['apply', '--server-side', '--validate=strict', '--field-manager=e2e']);

describe('e2e: the ApiSecurityPolicy CRD on a real API server', function () {
  this.timeout(120_000);

  before(async () => {
    const c = cluster();
    await c.kubectlOk([
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=e2e',
      '-f',
      path.join(repoRoot(), 'crds'),
    ]);
    await c.kubectlOk([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/apisecuritypolicies.aspen.dev',
    ]);
    await c.kubectlOk(['create', 'namespace', NS]);
    await c.kubectl(['create', 'namespace', 'shop']);
  });

  after(async () => {
    await cluster().kubectl(['delete', 'namespace', NS, 'shop', '--wait=false']);
  });

  it('accepts every example policy', async () => {
    const r = await cluster().kubectl([
      'apply',
      '--server-side',
      '--validate=strict',
      '--field-manager=e2e',
      '-f',
      path.join(repoRoot(), 'examples', 'policies'),
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const names = await cluster().kubectlOk(['get', 'asp', '-n', 'shop', '-o', 'name']);
    expect(names.trim().split('\n').length).to.be.at.least(3);
  });

  const refusals: { why: string; spec: Record<string, unknown>; expect: string[] }[] = [
    {
      why: 'authorization rules on JWT claims without a JWT provider (CEL)',
      spec: {
        selector: {},
        authorization: {
          rules: [{ name: 'r', action: 'Allow', from: { jwtClaims: [{ name: 'scope', values: ['x'] }] } }],
        },
      },
      expect: [
        'spec.authorization.rules',
        'authorization rules name JWT claims but spec.jwt configures no provider',
      ],
    },
    {
      why: 'a JWKS with both remote and inline keys (CEL)',
      spec: {
        selector: {},
        jwt: {
          providers: [
            {
              name: 'p',
              issuer: 'https://issuer.example/',
              jwks: { remote: { uri: 'https://issuer.example/jwks' }, inline: '{"keys":[]}' },
            },
          ],
        },
      },
      expect: ['spec.jwt.providers[0].jwks', 'exactly one of remote, inline, secretRef must be set'],
    },
    {
      why: 'a label requirement In without values (CEL)',
      spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } },
      expect: ['spec.selector.matchExpressions[0]', 'values must be non-empty for In and NotIn'],
    },
    {
      why: 'an unknown mode (enum)',
      spec: { selector: {}, mode: 'Bogus' },
      expect: ['spec.mode', 'Unsupported value: "Bogus"'],
    },
    {
      why: 'a misspelt field (strict field validation)',
      spec: { selector: {}, mtls: { mdoe: 'STRICT' } },
      expect: ['.spec.mtls.mdoe', 'field not declared in schema'],
    },
  ];

  for (const r of refusals) {
    it(`refuses ${r.why}, naming the field`, async () => {
      const result = await apply(policy('refused', r.spec));
      expect(result.code).to.not.equal(0);
      for (const text of r.expect) expect(result.stderr).to.include(text);
    });
  }

  it('shows the printer columns and the status aspen writes, without bumping the generation', async () => {
    const c = cluster();
    expect(
      (await apply(policy('columns', { selector: { matchLabels: { app: 'x' } }, mode: 'Audit' }))).code,
    ).to.equal(0);
    const before = await c.kubectlOk([
      'get',
      'asp',
      'columns',
      '-n',
      NS,
      '-o',
      'jsonpath={.metadata.generation}',
    ]);
    const status = {
      status: {
        observedGeneration: Number(before),
        workloads: 2,
        proxies: { connected: 2, acked: 2, rejected: 0 },
        conditions: [
          {
            type: 'Accepted',
            status: 'True',
            reason: 'Accepted',
            message: 'ok',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
          {
            type: 'Programmed',
            status: 'False',
            reason: 'Pending',
            message: 'waiting',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    };
    await c.kubectlOk([
      'patch',
      'asp',
      'columns',
      '-n',
      NS,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    const table = await c.kubectlOk(['get', 'asp', 'columns', '-n', NS]);
    const [header = '', row = ''] = table.trim().split('\n');
    expect(header.split(/\s+/)).to.deep.equal(['NAME', 'MODE', 'ACCEPTED', 'PROGRAMMED', 'WORKLOADS', 'AGE']);
    expect(row.split(/\s+/).slice(0, 5)).to.deep.equal(['columns', 'Audit', 'True', 'False', '2']);
    const after = await c.kubectlOk([
      'get',
      'asp',
      'columns',
      '-n',
      NS,
      '-o',
      'jsonpath={.metadata.generation}',
    ]);
    expect(after).to.equal(before);
  });

  it('bumps the generation on a spec change, so a stale observedGeneration shows', async () => {
    const c = cluster();
    await apply(policy('gen', { selector: {}, mode: 'Audit' }));
    const g1 = Number(
      await c.kubectlOk(['get', 'asp', 'gen', '-n', NS, '-o', 'jsonpath={.metadata.generation}']),
    );
    await apply(policy('gen', { selector: {}, mode: 'Enforce' }));
    const g2 = Number(
      await c.kubectlOk(['get', 'asp', 'gen', '-n', NS, '-o', 'jsonpath={.metadata.generation}']),
    );
    expect(g2).to.equal(g1 + 1);
  });

  it('refuses a status written through the main resource (status is a subresource)', async () => {
    const c = cluster();
    await apply(policy('nostatus', { selector: {} }));
    await c.kubectlOk([
      'patch',
      'asp',
      'nostatus',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"status":{"workloads":7}}',
    ]);
    const workloads = await c.kubectlOk([
      'get',
      'asp',
      'nostatus',
      '-n',
      NS,
      '-o',
      'jsonpath={.status.workloads}',
    ]);
    expect(workloads).to.equal('');
  });
});
