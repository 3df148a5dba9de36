// ADR 0034: the part many proxies share is checked once per part; per proxy only its own resources are. The fast
// path only ever proves a set clean: whatever the lists hold, the problems found are those of the full check.
import { expect } from 'chai';
import { checkResources } from '../../../src/xds/check/check.js';
import { formatProblem } from '../../../src/xds/check/problem.js';
import { provenClean } from '../../../src/xds/check/shared.js';
import { defaultXdsConfig } from '../../../src/xds/translate/config.js';
import { sharedPartOf, withSharedPart } from '../../../src/xds/translate/resources.js';
import type { XdsResources } from '../../../src/xds/translate/resources.js';
import { translateProxy } from '../../../src/xds/translate/translate.js';
import { meshService, port, proxy } from '../translate/fixtures.js';
import { cluster, resources, routes } from './fixtures.js';

const SDS = ['default', 'ROOTCA'];

const service = meshService;

const outbound = [service('a'), service('b')];

function translated(): XdsResources {
  return translateProxy(proxy([port(8080)], outbound), defaultXdsConfig('cluster.local'));
}

/** A copy of the lists (the same objects) with `change` applied, keeping the recorded shared part. */
function changed(r: XdsResources, change: (copy: XdsResources) => void): XdsResources {
  const copy = { ...r, listeners: [...r.listeners], routes: [...r.routes], clusters: [...r.clusters] };
  change(copy);
  const part = sharedPartOf(r);
  return part === undefined ? copy : withSharedPart(copy, part);
}

describe('xds/check shared part (ADR 0034)', () => {
  it('proves a translated proxy clean from its shared part and its own resources', () => {
    const r = translated();
    expect(sharedPartOf(r)).to.not.equal(undefined);
    expect(provenClean(r, { sdsSecrets: SDS })).to.equal(true);
    expect(checkResources(r, { sdsSecrets: SDS })).to.deep.equal([]);
  });

  it('leaves the verdict to the full check when a shared object is missing from the lists', () => {
    const r = translated();
    const dropped = changed(r, (c) => {
      c.clusters = c.clusters.filter((x) => !x.name.includes('a.shop'));
    });
    expect(provenClean(dropped, { sdsSecrets: SDS })).to.equal(false);
    const problems = checkResources(dropped, { sdsSecrets: SDS }).map(formatProblem);
    expect(problems.length).to.be.greaterThan(0);
    expect(problems.join('\n')).to.contain('is not in the clusters sent');
  });

  it('finds a problem in the proxy’s own resources, as the full check reports it', () => {
    const r = translated();
    const broken = changed(r, (c) => {
      c.routes = [...c.routes, routes('nowhere')].sort((a, b) => (a.name < b.name ? -1 : 1));
    });
    expect(provenClean(broken, { sdsSecrets: SDS })).to.equal(false);
    const full = checkResources({ ...broken }, { sdsSecrets: SDS }).map(formatProblem);
    expect(checkResources(broken, { sdsSecrets: SDS }).map(formatProblem)).to.deep.equal(full);
    expect(full.join('\n')).to.contain('cluster "nowhere" is not in the clusters sent');
  });

  it('checks the shared part against the SDS names each proxy can obtain', () => {
    const r = translated();
    expect(provenClean(r, { sdsSecrets: [] })).to.equal(false);
    const problems = checkResources(r, { sdsSecrets: [] }).map(formatProblem);
    expect(problems.join('\n')).to.contain('is not a known SDS name');
  });

  it('never trusts a recorded part that the lists do not hold', () => {
    const r = resources({ routes: [routes('local_app')], clusters: [] });
    const part = { listeners: [], routes: [], clusters: [cluster('local_app')] };
    expect(provenClean(withSharedPart(r, part), { sdsSecrets: [] })).to.equal(false);
    expect(checkResources(r, { sdsSecrets: [] })).to.have.length(1);
  });
});
