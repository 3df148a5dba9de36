import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../cli/run.js';

describe('aspen render and SDS secrets', () => {
  it('render output of examples/ holds SDS names only: no private key, no inline bytes', async () => {
    for (const output of ['json', 'yaml']) {
      const run = await runCli(['render', 'examples/', '-o', output]);
      expect(run.code, run.stderr).to.equal(0);
      for (const forbidden of ['PRIVATE KEY', 'inlineBytes', 'inline_bytes', 'BEGIN CERTIFICATE']) {
        expect(run.stdout, forbidden).not.to.include(forbidden);
      }
      expect(run.stdout).to.include('ROOTCA');
    }
  });

  it('no CLI module imports the SDS secrets module', async () => {
    const dir = 'src/cli';
    for (const file of await readdir(dir)) {
      const source = await readFile(path.join(dir, file), 'utf8');
      expect(source, file).not.to.match(/xds\/sds\/(secrets|index)\.js/);
    }
  });
});
