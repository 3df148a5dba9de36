import { expect } from 'chai';
import { parse } from 'yaml';
import { proxylessInjection } from '../../src/proxyless/injection.js';
import { runCli } from '../cli/run.js';

describe('proxyless pod injection (pure additions)', () => {
  const injection = proxylessInjection({
    namespace: 'shop',
    workload: 'orders',
    serviceAccount: 'orders',
    image: 'ghcr.io/example/aspen:0.1.0',
  });

  it('points gRPC at the bootstrap and enables grpc-js RBAC; the application mounts the files read-only', () => {
    expect(injection.env).to.deep.equal([
      { name: 'GRPC_XDS_BOOTSTRAP', value: '/var/run/aspen/grpc/bootstrap.json' },
      { name: 'GRPC_XDS_EXPERIMENTAL_RBAC', value: 'true' },
    ]);
    expect(injection.volumeMounts).to.deep.equal([
      { name: 'aspen-grpc', mountPath: '/var/run/aspen/grpc', readOnly: true },
    ]);
  });

  it('writes the files before the application starts, then keeps them current (native sidecar)', () => {
    const [init, agent] = injection.initContainers as {
      name: string;
      args: string[];
      restartPolicy?: string;
    }[];
    expect(init?.name).to.equal('aspen-grpc-init');
    expect(init).to.not.have.property('restartPolicy');
    expect(agent?.name).to.equal('aspen-grpc-agent');
    expect(agent?.restartPolicy).to.equal('Always');
    expect(agent?.args).to.include('--refresh');
    expect(init?.args).to.not.include('--refresh');
  });

  it('the agent arguments are a valid aspen bootstrap --proxyless command line (printing mode)', async () => {
    const [init] = injection.initContainers as { args: string[] }[];
    const args = (init?.args ?? [])
      .filter((a) => !a.startsWith('--out-dir'))
      .map((a) => a.replace('$(POD_NAME)', 'orders-7d9f'));
    const run = await runCli(args);
    expect(run.code, run.stderr).to.equal(0);
    const doc = parse(run.stdout) as { node: { id: string; cluster: string } };
    expect(doc.node).to.include({ id: 'shop/orders-7d9f', cluster: 'shop/orders' });
  });

  it('the token and trust bundle reach only the agent containers', () => {
    const names = injection.volumes.map((v) => v['name']);
    expect(names).to.deep.equal(['aspen-grpc', 'aspen-token', 'aspen-trust-bundle']);
    expect(injection.volumeMounts.map((m) => m['name'])).to.deep.equal(['aspen-grpc']);
  });
});
