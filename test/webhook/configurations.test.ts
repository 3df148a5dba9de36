/**
 * The webhook configurations: docs/webhook-configurations.yaml is generated from `injectorConfiguration` and
 * `validatorConfiguration` (UPDATE_GOLDEN=1 rewrites it; the Helm chart must write the same objects), the selectors
 * keep system namespaces and aspen's own out, and the patches the leader applies touch only what differs.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import {
  caBundlePatch,
  failurePolicyPatch,
  injectorConfiguration,
  validatorConfiguration,
} from '../../src/webhook/configurations.js';

const FILE = fileURLToPath(new URL('../../../docs/webhook-configurations.yaml', import.meta.url));
const HEADER =
  '# Generated from src/webhook/configurations.ts (UPDATE_GOLDEN=1 npm run test:unit). The Helm chart writes the same\n' +
  "# objects for namespace aspen-system; caBundle is left out: aspen's leader (or cert-manager's CA injector) sets it.\n";

describe('webhook configurations', () => {
  it('match docs/webhook-configurations.yaml', async () => {
    const options = { namespace: 'aspen-system' };
    const raw =
      HEADER +
      [injectorConfiguration(options), validatorConfiguration(options)]
        .map((m) => stringify(m, { lineWidth: 0, aliasDuplicateObjects: false }))
        .join('---\n');
    const text = await format(raw, { ...(await resolveConfig(FILE)), filepath: FILE });
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(FILE, text);
    expect(existsSync(FILE), 'run with UPDATE_GOLDEN=1').to.equal(true);
    expect(text).to.equal(readFileSync(FILE, 'utf8'));
  });

  it('injection fails closed within 10 s and never sees system namespaces or aspen’s own', () => {
    const config = injectorConfiguration({ namespace: 'aspen', excludedNamespaces: ['legacy'] }) as {
      webhooks: {
        failurePolicy: string;
        timeoutSeconds: number;
        namespaceSelector: { matchExpressions: unknown[] };
      }[];
    };
    for (const webhook of config.webhooks) {
      expect(webhook.failurePolicy).to.equal('Fail');
      expect(webhook.timeoutSeconds).to.be.at.most(10);
      expect(webhook.namespaceSelector.matchExpressions).to.deep.include({
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: ['aspen', 'kube-node-lease', 'kube-public', 'kube-system', 'legacy'],
      });
    }
  });

  it('validation starts at Ignore', () => {
    const config = validatorConfiguration({ namespace: 'aspen-system' }) as {
      webhooks: { failurePolicy: string }[];
    };
    expect(config.webhooks.map((w) => w.failurePolicy)).to.deep.equal(['Ignore']);
  });

  it('patches only entries whose caBundle differs, each guarded by its name', () => {
    const pem = 'PEM';
    const value = Buffer.from(pem).toString('base64');
    const patch = caBundlePatch(
      [
        { name: 'a', caBundle: value, failurePolicy: 'Fail' },
        { name: 'b', caBundle: '', failurePolicy: 'Fail' },
      ],
      pem,
    );
    expect(patch).to.deep.equal([
      { op: 'test', path: '/webhooks/1/name', value: 'b' },
      { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value },
    ]);
  });

  it('switches the failure policy of the named entry only when needed', () => {
    const entries = [{ name: 'validate.aspen.dev', caBundle: '', failurePolicy: 'Ignore' }];
    expect(failurePolicyPatch(entries, 'validate.aspen.dev', 'Fail')).to.deep.equal([
      { op: 'test', path: '/webhooks/0/name', value: 'validate.aspen.dev' },
      { op: 'add', path: '/webhooks/0/failurePolicy', value: 'Fail' },
    ]);
    expect(failurePolicyPatch(entries, 'validate.aspen.dev', 'Ignore')).to.deep.equal([]);
    expect(failurePolicyPatch(entries, 'other', 'Fail')).to.deep.equal([]);
  });
});

describe('native sidecars by server version', () => {
  it('are on from 1.29, with provider suffixes, and off when unreadable', async () => {
    const { nativeSidecarsFromVersion } = await import('../../src/webhook/kube/version.js');
    expect(nativeSidecarsFromVersion({ major: '1', minor: '29' })).to.equal(true);
    expect(nativeSidecarsFromVersion({ major: '1', minor: '33+' })).to.equal(true);
    expect(nativeSidecarsFromVersion({ major: '1', minor: '28' })).to.equal(false);
    expect(nativeSidecarsFromVersion({ major: '', minor: '' })).to.equal(false);
  });
});
