import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runController } from '../../src/cli/controller.js';
import {
  CONTROLLER_DEFAULTS,
  parseDuration,
  resolveControllerFlags,
} from '../../src/cli/controller-flags.js';
import type { ControllerCliOptions } from '../../src/cli/controller-flags.js';
import type { CliIO } from '../../src/cli/io.js';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import { seedExamples } from '../provider/kubernetes/fixtures.js';
import { runCli } from './run.js';

const ENV = { env: { POD_NAMESPACE: 'aspen-prod', POD_NAME: 'aspen-0' }, hostname: 'host' };

function flags(overrides: Partial<ControllerCliOptions> = {}): ControllerCliOptions {
  return { ...CONTROLLER_DEFAULTS, leaderElect: true, ...overrides };
}

describe('aspen controller (CLI)', () => {
  it('resolves the contract defaults, namespace and replica id from the pod environment', () => {
    const resolved = resolveControllerFlags(flags(), ENV);
    if (Array.isArray(resolved)) throw new Error(resolved.join('; '));
    const o = resolved.options;
    expect([o.namespace, o.replicaId, o.caSecret, o.trustDomain]).to.deep.equal([
      'aspen-prod',
      'aspen-0',
      'aspen-ca',
      'cluster.local',
    ]);
    expect(o.xds.dataplane).to.deep.equal({ host: 'aspen-dataplane.aspen-prod.svc', port: 15020 });
    expect(o.xds.dataplaneIdentity).to.equal('spiffe://cluster.local/ns/aspen-prod/sa/aspen-dataplane');
    expect(o.leaderTiming).to.deep.equal({
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
    expect(o.xdsListen).to.deep.equal({ host: '0.0.0.0', port: 15010 });
    expect(resolved.webhook).to.deep.equal({ listen: { host: '0.0.0.0', port: 9443 }, certSource: 'self' });
    const named = resolveControllerFlags(flags({ namespace: 'x', replicaId: 'r' }), {
      env: {},
      hostname: 'h',
    });
    expect(Array.isArray(named) ? named : [named.options.namespace, named.options.replicaId]).to.deep.equal([
      'x',
      'r',
    ]);
  });

  it('parses durations', () => {
    expect([
      parseDuration('15s'),
      parseDuration('500ms'),
      parseDuration('1m'),
      parseDuration('2'),
      parseDuration('0s'),
    ]).to.deep.equal([15_000, 500, 60_000, undefined, undefined]);
  });

  it('exits 2 with every usage error named', async () => {
    const run = await runCli([
      'controller',
      '--lease-duration',
      'soon',
      '--renew-deadline',
      '20s',
      '--retry-period',
      '1s',
      '--webhook-cert-source',
      'external',
      '--xds-listen',
      'nope',
      '--log-format',
      'xml',
    ]);
    expect(run.code).to.equal(2);
    for (const flag of [
      '--lease-duration',
      '--webhook-cert-source external needs --webhook-cert-dir',
      '--xds-listen',
      '--log-format',
    ])
      expect(run.stderr).to.include(flag);
  });

  it('runs against a kubeconfig until shutdown, then exits 0 and releases leadership', async () => {
    const api = await startFakeApiServer();
    const dir = await mkdtemp(join(tmpdir(), 'aspen-controller-'));
    try {
      await seedExamples(api);
      const kubeconfig = join(dir, 'kubeconfig');
      await writeFile(kubeconfig, api.kubeconfigText);
      let stderr = '';
      let stop: (signal: string) => void = () => undefined;
      const shutdown = new Promise<string>((resolve) => (stop = resolve));
      const io: CliIO = {
        stdout: () => undefined,
        stderr: (text) => {
          stderr += text;
          if (text.includes('xDS listening')) stop('SIGTERM');
        },
        stdoutIsTTY: false,
        readStdin: () => Promise.resolve(''),
      };
      const local = '127.0.0.1:0';
      const code = await runController(
        flags({
          kubeconfig,
          namespace: 'aspen-system',
          replicaId: 'r1',
          xdsListen: local,
          healthListen: local,
          metricsListen: local,
          webhookListen: local,
        }),
        io,
        { shutdown, stderrIsTTY: false, environment: { env: {}, hostname: 'h' } },
      );
      expect(code, stderr).to.equal(0);
      expect(api.get('v1', 'Secret', 'aspen-system', 'aspen-ca')).to.not.equal(undefined);
      expect(stderr).to.include('aspen controller stopped');
      const lease = api.get('coordination.k8s.io/v1', 'Lease', 'aspen-system', 'aspen-leader') as {
        spec?: { holderIdentity?: string };
      };
      expect(lease.spec?.holderIdentity ?? '', 'released on shutdown').to.equal('');
      expect(stderr).to.not.include('BEGIN PRIVATE KEY');
    } finally {
      await rm(dir, { recursive: true, force: true });
      await api.close();
    }
  });

  it('exits 1 when the API server cannot be reached', async () => {
    const api = await startFakeApiServer();
    const dir = await mkdtemp(join(tmpdir(), 'aspen-controller-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, api.kubeconfigText);
    await api.close();
    let stderr = '';
    const io: CliIO = {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      stdoutIsTTY: false,
      readStdin: () => Promise.resolve(''),
    };
    try {
      const code = await runController(flags({ kubeconfig }), io, {
        shutdown: new Promise(() => undefined),
        stderrIsTTY: false,
        environment: { env: {}, hostname: 'h' },
      });
      expect(code).to.equal(1);
      expect(stderr).to.include('could not start');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
