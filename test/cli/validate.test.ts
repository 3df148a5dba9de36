import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { runCli } from './run.js';

describe('aspen validate', () => {
  it('accepts the bundled examples (exit 0)', async () => {
    const run = await runCli(['validate', 'examples/']);
    // 8 files: the policies and shop examples, plus the Argo CD and Flux manifests of examples/gitops/.
    expect(run.stderr).to.equal('aspen validate: 3 aspen object(s) in 8 file(s): no problems\n');
    expect(run.code).to.equal(0);
  });

  it('prints one precise line per problem, sorted by file and line (exit 1)', async () => {
    const run = await runCli(['validate', 'test/fixtures/broken']);
    const b = 'test/fixtures/broken';
    expect(run.stderr.split('\n')).to.deep.equal([
      `${b}/policies.yaml:10: ApiSecurityPolicy shop/typo: spec.mtls.mdoe: unknown field`,
      `${b}/policies.yaml:26: ApiSecurityPolicy shop/bad-rules: spec.authorization.rules[0].from.principals[1]: must be a SPIFFE ID (spiffe://<trust-domain>/<path>)`,
      `${b}/policies.yaml:27: ApiSecurityPolicy shop/bad-rules: spec.authorization.rules[0].from.ipBlocks[0]: prefix length must be at most 32`,
      `${b}/policies.yaml:29: ApiSecurityPolicy shop/bad-rules: spec.authorization.rules[0].to.paths[0]: must be a path starting with "/" without query, fragment or spaces`,
      `${b}/policies.yaml:30: ApiSecurityPolicy shop/bad-rules: spec.authorization.rules[1].name: duplicate name "read" (also at [0])`,
      `${b}/policies.yaml:32: ApiSecurityPolicy shop/bad-rules: spec.authorization.rules[1].from.apiKeyClients[0]: no API-key client "partner-b" in spec.apiKeys.clients`,
      `${b}/policies.yaml:34: ApiSecurityPolicy default/future: apiVersion: version v1beta1 of aspen.dev is not supported: this aspen serves v1alpha1`,
      `${b}/ssrf.yaml:14: ApiSecurityPolicy shop/ssrf: spec.jwt.providers[0].jwks.remote.uri: must not point at a link-local (cloud metadata) address`,
      `${b}/ssrf.yaml:16: ApiSecurityPolicy shop/ssrf: spec.jwt.providers[0].forwardClaims[0].header: must not start with "x-forwarded-": those headers are reserved for the proxy`,
      `${b}/syntax.yaml:6: Flow map in block collection must be sufficiently indented and end with a }`,
      'aspen validate: 4 aspen object(s) in 3 file(s): 10 problem(s)',
      '',
    ]);
    expect(run.stdout).to.equal('');
    expect(run.code).to.equal(1);
  });

  it('reads standard input for `-` and fills missing namespaces from --namespace', async () => {
    const text = readFileSync('test/fixtures/broken/policies.yaml', 'utf8');
    const run = await runCli(['validate', '-', '--namespace', 'team-a'], { stdin: text });
    expect(run.stderr).to.include('-:34: ApiSecurityPolicy team-a/future: apiVersion:');
    expect(run.code).to.equal(1);
  });

  it('ignores kinds it does not know', async () => {
    const stdin =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: foo.io/v1\nkind: Thing\nspec: 1\n';
    const run = await runCli(['validate', '-'], { stdin });
    expect(run.code).to.equal(0);
  });

  it('refuses a path that does not exist with a usage error (exit 2)', async () => {
    const run = await runCli(['validate', 'does/not/exist']);
    expect(run.stderr).to.equal('aspen validate: does/not/exist: no such file or directory\n');
    expect(run.code).to.equal(2);
  });

  it('refuses missing arguments and unknown flags with a usage error (exit 2)', async () => {
    expect((await runCli(['validate'])).code).to.equal(2);
    expect((await runCli(['validate', 'examples/', '--bogus'])).code).to.equal(2);
    expect((await runCli(['no-such-command'])).code).to.equal(2);
  });

  it('prints help with exit 0', async () => {
    const run = await runCli(['validate', '--help']);
    expect(run.stdout).to.include('Exit status: 0 valid, 1 problems found, 2 usage error.');
    expect(run.code).to.equal(0);
  });

  it('refuses an alias bomb quickly instead of expanding it', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${new Array(9).fill(`*${'abcdefghij'[i - 1]}`).join(',')}]`,
      );
    const run = await runCli(['validate', '-'], { stdin: lines.join('\n') + '\n' });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/^-:\d+: .*alias/m);
  });
});
