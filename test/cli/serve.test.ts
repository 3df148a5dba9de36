import { expect } from 'chai';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { runCli } from './run.js';

describe('aspen serve (usage errors)', () => {
  it('refuses --xds-insecure on a non-loopback address with exit 2', async () => {
    const run = await runCli([
      'serve',
      '--dir',
      'examples/',
      '--xds-insecure',
      '--xds-listen',
      '0.0.0.0:15010',
    ]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/only on a loopback address .* not 0\.0\.0\.0/);
  });

  it('refuses [::] too, and accepts the loopback forms when parsing', async () => {
    const run = await runCli(['serve', '--dir', 'examples/', '--xds-insecure', '--xds-listen', '[::]:15010']);
    expect(run.code).to.equal(2);
  });

  it('exits 2 for --ca-cert without --ca-key and for an unreadable CA file', async () => {
    const alone = await runCli(['serve', '--dir', 'examples/', '--ca-cert', 'no/such/ca.pem']);
    expect(alone.code).to.equal(2);
    expect(alone.stderr).to.include('--ca-cert and --ca-key go together');
    const missing = await runCli([
      'serve',
      '--dir',
      'examples/',
      '--ca-cert',
      'no/ca.pem',
      '--ca-key',
      'no/key.pem',
    ]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include('--ca-cert no/ca.pem: not a readable file');
    expect(missing.stderr).to.include('--ca-key no/key.pem: not a readable file');
  });

  it('exits 2 when --ca-cert/--ca-key are not a CA (the key is never echoed)', async () => {
    const run = await runCli([
      'serve',
      '--dir',
      'examples/',
      '--ca-cert',
      'package.json',
      '--ca-key',
      'package.json',
    ]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('--ca-cert/--ca-key:');
  });

  it('exits 2 for a missing directory, a bad address and a bad log level', async () => {
    const run = await runCli([
      'serve',
      '--dir',
      'no/such/dir',
      '--xds-insecure',
      '--health-listen',
      'nope',
      '--log-level',
      'loud',
    ]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('--dir no/such/dir: not a readable directory');
    expect(run.stderr).to.include('--health-listen: "nope" is not <host>:<port>');
    expect(run.stderr).to.include('--log-level must be one of');
  });

  it('requires --dir', async () => {
    const run = await runCli(['serve', '--xds-insecure']);
    expect(run.code).to.equal(2);
  });

  it('exits 1 when an endpoint cannot listen (port taken)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const run = await runCli([
        'serve',
        '--dir',
        'examples/',
        '--xds-insecure',
        '--health-listen',
        `127.0.0.1:${port}`,
        '--log-level',
        'error',
      ]);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.include('could not start');
    } finally {
      blocker.close();
    }
  });
});
