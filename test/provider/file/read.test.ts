import { expect } from 'chai';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readManifests, type Manifest } from '../../../src/provider/file/manifests.js';

/** A ConfigMap named `name`. */
function configMap(name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
}

/** The names of the manifests, with the file each came from. */
function namesAndFiles(manifests: readonly Manifest[]): Array<[string, string]> {
  return manifests.map((m) => [(m.object['metadata'] as { name: string }).name, m.source.file]);
}

describe('readManifests', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'aspen-read-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Writes `files` (path relative to the temporary root → content). */
  async function write(files: Record<string, string>): Promise<void> {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, name)), { recursive: true });
      await writeFile(path.join(root, name), content);
    }
  }

  it('reads a directory recursively, sorted by path, skipping hidden entries, node_modules and other files', async () => {
    await write({
      'b.yaml': configMap('b'),
      'a.yml': configMap('a-yml'),
      'a/z.yaml': configMap('a-z'),
      'a/deeper/y.yaml': configMap('a-deeper-y'),
      'a.yaml': configMap('a-yaml'),
      '.git/config.yaml': configMap('hidden-dir'),
      'a/.hidden.yaml': configMap('hidden-file'),
      'node_modules/pkg/x.yaml': configMap('node-modules'),
      'notes.txt': configMap('txt'),
      'values.json': configMap('json'),
    });
    const result = await readManifests([root]);
    expect(result.usageErrors).to.deep.equal([]);
    expect(result.errors).to.deep.equal([]);
    expect(namesAndFiles(result.manifests)).to.deep.equal([
      ['a-yaml', `${root}/a.yaml`],
      ['a-yml', `${root}/a.yml`],
      ['a-deeper-y', `${root}/a/deeper/y.yaml`],
      ['a-z', `${root}/a/z.yaml`],
      ['b', `${root}/b.yaml`],
    ]);
  });

  it('shows paths as the user wrote the directory', async () => {
    await write({ 'shop/orders.yaml': configMap('orders') });
    const relative = path.relative(process.cwd(), root);
    const withSlash = await readManifests([`${relative}/`]);
    expect(namesAndFiles(withSlash.manifests)).to.deep.equal([['orders', `${relative}/shop/orders.yaml`]]);
    const withoutSlash = await readManifests([path.join(relative, 'shop')]);
    expect(namesAndFiles(withoutSlash.manifests)).to.deep.equal([['orders', `${relative}/shop/orders.yaml`]]);
  });

  it('reads a file named directly whatever its extension, in the order the inputs are given', async () => {
    await write({ 'z.yaml': configMap('z'), 'list.txt': configMap('txt') });
    const result = await readManifests([path.join(root, 'z.yaml'), path.join(root, 'list.txt')]);
    expect(namesAndFiles(result.manifests)).to.deep.equal([
      ['z', path.join(root, 'z.yaml')],
      ['txt', path.join(root, 'list.txt')],
    ]);
  });

  it('reads a file once when it is named twice', async () => {
    await write({ 'one.yaml': configMap('one') });
    const result = await readManifests([root, path.join(root, 'one.yaml')]);
    expect(namesAndFiles(result.manifests)).to.deep.equal([['one', path.join(root, 'one.yaml')]]);
  });

  it('reads standard input for `-`, shown as `-`', async () => {
    let calls = 0;
    const readStdin = (): Promise<string> => {
      calls += 1;
      return Promise.resolve(`# from kubectl\n${configMap('piped')}`);
    };
    const result = await readManifests(['-', '-'], { readStdin });
    expect(calls).to.equal(1);
    expect(result.manifests.map((m) => m.source)).to.deep.equal([{ file: '-', line: 2 }]);
  });

  it('reports a path that does not exist as a usage error naming it, and still reads the others', async () => {
    await write({ 'ok.yaml': configMap('ok') });
    const missing = path.join(root, 'missing.yaml');
    const result = await readManifests([missing, root]);
    expect(result.usageErrors).to.deep.equal([`${missing}: no such file or directory`]);
    expect(namesAndFiles(result.manifests)).to.deep.equal([['ok', path.join(root, 'ok.yaml')]]);
  });

  it('locates YAML errors in the file they are in', async () => {
    await write({ 'bad.yaml': `${configMap('first')}---\nkey: [unclosed\nother: 1\n` });
    const result = await readManifests([root]);
    expect(namesAndFiles(result.manifests)).to.deep.equal([['first', path.join(root, 'bad.yaml')]]);
    expect(result.errors.map((e) => [e.file, e.line])).to.deep.equal([[path.join(root, 'bad.yaml'), 7]]);
  });

  it('refuses a file over 64 MiB without reading it', async () => {
    await write({ 'huge.yaml': '' });
    await truncate(path.join(root, 'huge.yaml'), 64 * 1024 * 1024 + 1);
    const start = performance.now();
    const result = await readManifests([root]);
    expect(result.errors).to.deep.equal([
      { file: path.join(root, 'huge.yaml'), line: 1, message: 'file is larger than 64 MiB' },
    ]);
    expect(performance.now() - start).to.be.below(1000);
  });

  it('refuses standard input over 64 MiB', async () => {
    const big = 'x'.repeat(64 * 1024 * 1024 + 1);
    const result = await readManifests(['-'], { readStdin: () => Promise.resolve(big) });
    expect(result.errors).to.deep.equal([{ file: '-', line: 1, message: 'file is larger than 64 MiB' }]);
  });
});
