/**
 * The Dockerfile, checked statically (no Docker engine runs here or in CI): multi-stage, bases pinned by digest, a
 * non-root runtime user matching the chart, production dependencies only, no secrets or remote ADDs, and an
 * allow-list .dockerignore. A second check proves the runtime needs no devDependency: every package that the
 * compiled sources import is a production dependency.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../scripts/k8s/chart.js';
import { parseDockerfile, type Stage } from './dockerfile-parse.js';

const root = repoRoot();
const stages = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1);
const all = stages.flatMap((s) => s.instructions);
const of = (s: Stage | undefined, keyword: string): string[] =>
  (s?.instructions ?? []).filter((i) => i.keyword === keyword).map((i) => i.args);

/** Every .js file under a directory. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The npm package a bare import specifier names (`@scope/name` or `name`), or undefined for relative/builtin. */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('container image: Dockerfile', () => {
  it('builds in stages and runs a separate runtime stage', () => {
    expect(stages.length).to.be.at.least(2);
    expect(runtime?.name).to.equal('runtime');
    expect(stages.map((s) => s.name)).to.include('build');
  });

  it('pins every base image by digest', () => {
    for (const s of stages) {
      if (stages.some((other) => other.name === s.image)) continue;
      expect(s.image, `FROM ${s.image}`).to.match(/@sha256:[a-f0-9]{64}$/);
    }
  });

  it('builds with Node 22 and runs on a distroless Node 22 image', () => {
    expect(stages.find((s) => s.name === 'build')?.image).to.match(/^node:22[-.]/);
    expect(runtime?.image).to.match(/^gcr\.io\/distroless\/nodejs22-/);
  });

  it('runs as a numeric non-root user, the one the chart sets', () => {
    const users = of(runtime, 'USER');
    expect(users).to.have.length(1);
    const [uid] = (users[0] ?? '').split(':');
    expect(uid).to.match(/^[1-9][0-9]*$/);
    const helpers = readFileSync(path.join(root, 'charts', 'aspen', 'templates', '_helpers.tpl'), 'utf8');
    expect(helpers).to.include(`runAsUser: ${uid}`);
  });

  it('starts aspen with controller as the default command', () => {
    const [entrypoint] = of(runtime, 'ENTRYPOINT');
    expect(JSON.parse(entrypoint ?? '[]')).to.include('/app/bin/aspen.js');
    expect(JSON.parse(of(runtime, 'CMD')[0] ?? '[]')).to.deep.equal(['controller']);
  });

  it('copies only production dependencies into the runtime', () => {
    const modules = of(runtime, 'COPY').find((c) => c.includes('node_modules'));
    const from = /--from=(\S+)/.exec(modules ?? '')?.[1];
    const deps = stages.find((s) => s.name === from);
    expect(of(deps, 'RUN').join(' ')).to.match(/npm ci --omit=dev/);
    expect(of(runtime, 'COPY').join(' ')).to.not.match(/\/src\/dist\/test|\bscripts\b/);
  });

  it('never ADDs, downloads, or passes secrets through ARG/ENV', () => {
    expect(all.filter((i) => i.keyword === 'ADD')).to.deep.equal([]);
    for (const i of all) {
      expect(i.args, `${i.keyword} ${i.args}`).to.not.match(/\b(curl|wget)\b|https?:\/\//);
      if (i.keyword === 'ARG' || i.keyword === 'ENV') {
        expect(i.args).to.not.match(/secret|token|password|passwd|api_?key|private/i);
      }
      if (i.keyword === 'COPY') expect(i.args).to.not.match(/\.npmrc|\.env|\.pem|\.key\b/);
    }
  });

  it('sends only an allow-list to the build context, never keys or .env files', () => {
    const lines = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(lines[0]).to.equal('*');
    expect(lines).to.include.members(['**/.env', '**/*.pem', '**/*.key']);
  });
});

describe('container image: production dependencies suffice', () => {
  it('every package the compiled sources import is a production dependency', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const missing = new Set<string>();
    for (const file of jsFiles(path.join(root, 'dist', 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(
        /(?:^|\s)(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/gm,
      )) {
        const name = packageOf(m[1] ?? m[2] ?? '.');
        if (name !== undefined && !(name in pkg.dependencies))
          missing.add(`${name} (${path.relative(root, file)})`);
      }
    }
    expect([...missing]).to.deep.equal([]);
  });

  it('the chart runs the image with a read-only root file system and a writable /tmp', () => {
    const values = parse(readFileSync(path.join(root, 'charts', 'aspen', 'values.yaml'), 'utf8')) as {
      image: { repository: string };
    };
    expect(values.image.repository).to.be.a('string').and.not.equal('');
    const deployment = readFileSync(
      path.join(root, 'charts', 'aspen', 'templates', 'controller-deployment.yaml'),
      'utf8',
    );
    expect(deployment).to.include('mountPath: /tmp');
    const helpers = readFileSync(path.join(root, 'charts', 'aspen', 'templates', '_helpers.tpl'), 'utf8');
    expect(helpers).to.include('readOnlyRootFilesystem: true');
  });
});
