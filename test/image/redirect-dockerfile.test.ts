/**
 * images/redirect/Dockerfile (the `aspen-redirect` init container's image, ADR 0019), checked statically: one pinned
 * Alpine stage with only the iptables package (nf_tables backend asserted at build time), no remote ADDs, copies or
 * secrets, and an entrypoint that is exactly the command the injector sets, using only programs the image provides.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../scripts/k8s/chart.js';
import { REDIRECT_CONTAINER, redirectContainer, redirectRules } from '../../src/webhook/inject/redirect.js';
import { DEFAULT_IMAGES, injectionSettings } from '../../src/webhook/inject/settings.js';
import { argsOf, parseDockerfile } from './dockerfile-parse.js';

const root = repoRoot();
const stages = parseDockerfile(readFileSync(path.join(root, 'images', 'redirect', 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1);
const all = stages.flatMap((s) => s.instructions);
const container = redirectContainer(
  injectionSettings({ trustBundlePem: '' }),
  redirectRules({ inboundPorts: [], outboundPorts: [], outboundCidrs: [], captureOutbound: true }, 1337),
);
const run = argsOf(runtime, 'RUN').join(' && ');

/** Programs a `sh -c` script starts: the first word of every pipeline or list segment. */
function programsOf(script: string): string[] {
  return script
    .split(/\|\|?|&&|;/)
    .map((segment) => segment.trim().split(/\s+/)[0] ?? '')
    .filter((p) => p !== '');
}

describe('container image: images/redirect/Dockerfile', () => {
  it('is one runtime stage on Alpine pinned by digest', () => {
    expect(stages).to.have.length(1);
    expect(runtime?.name).to.equal('runtime');
    expect(runtime?.image).to.match(/^alpine:3\.\d+@sha256:[a-f0-9]{64}$/);
  });

  it('installs only the iptables package, asserts the nf_tables backend and removes the package manager', () => {
    const adds = [...run.matchAll(/apk add ((?:--\S+ )*)([^&]+)/g)].map((m) => (m[2] ?? '').trim());
    expect(adds).to.deep.equal(['iptables']);
    expect(run).to.include('--no-cache');
    for (const tool of ['sh', 'iptables-restore', 'ip6tables-restore'])
      expect(run).to.include(`command -v ${tool}`);
    expect(run).to.match(/iptables-restore --version \| grep -q nf_tables/);
    expect(run).to.match(/rm -rf [^&]*\/sbin\/apk/);
  });

  it('starts exactly the command the injector sets, and sets no default arguments', () => {
    const [entrypoint] = argsOf(runtime, 'ENTRYPOINT');
    expect(JSON.parse(entrypoint ?? '[]')).to.deep.equal(container.command);
    expect(container.args).to.equal(undefined);
    expect(argsOf(runtime, 'CMD')).to.deep.equal([]);
  });

  it('provides every program that command runs', () => {
    const [shell, flag, script = ''] = container.command ?? [];
    expect([shell, flag]).to.deep.equal(['sh', '-c']);
    const programs = programsOf(script);
    expect(programs).to.deep.equal(['printf', 'iptables-restore']);
    // printf is a builtin of busybox sh; the rest must be on PATH in the image.
    for (const p of programs.filter((x) => x !== 'printf')) expect(run).to.include(`command -v ${p}`);
  });

  it('declares the UID the injector runs it as (root, for NET_ADMIN and NET_RAW only)', () => {
    const ctx = container.securityContext;
    expect(container.name).to.equal(REDIRECT_CONTAINER);
    expect(argsOf(runtime, 'USER')).to.deep.equal([`${ctx?.runAsUser}:${ctx?.runAsGroup}`]);
    expect(ctx?.capabilities).to.deep.equal({ add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] });
    expect(ctx?.allowPrivilegeEscalation).to.equal(false);
    expect(ctx?.privileged).to.equal(false);
  });

  it('never ADDs, COPYs, downloads, or carries secrets or rules in ARG/ENV', () => {
    expect(all.filter((i) => ['ADD', 'COPY', 'ARG', 'ENV'].includes(i.keyword))).to.deep.equal([]);
    for (const i of all) expect(i.args, `${i.keyword} ${i.args}`).to.not.match(/\b(curl|wget)\b|https?:\/\//);
  });

  it('is the image the injector uses by default', () => {
    expect(DEFAULT_IMAGES.redirect).to.match(/^ghcr\.io\/aspen-dev\/aspen-redirect:/);
  });
});
