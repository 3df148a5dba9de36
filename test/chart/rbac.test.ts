/**
 * RBAC of the chart is least privilege: exactly the verbs the contract of objects aspen reads and writes needs, no
 * wildcards, writes to webhook configurations and Secrets limited by name, and a comment justifying every rule.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chartDir, helmTemplate, type K8sObject } from '../../scripts/k8s/chart.js';
import { find } from './objects.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** One line per (group, resource, verb) of one rule, with the names it is limited to. */
function ruleLines(r: Rule): string[] {
  const names = r.resourceNames === undefined ? '' : ` [${r.resourceNames.join(',')}]`;
  return r.apiGroups.flatMap((g) =>
    r.resources.flatMap((res) => r.verbs.map((v) => `${g || 'core'}/${res} ${v}${names}`)),
  );
}

/** Every (group, resource, verb) a role grants, sorted. */
function flatten(role: K8sObject): string[] {
  return (role.rules as Rule[]).flatMap(ruleLines).sort();
}

describe('chart: RBAC', function () {
  this.timeout(60_000);
  let objects: K8sObject[];
  before(async () => {
    objects = await helmTemplate();
  });

  it('gives the controller exactly the cluster-wide verbs of the contract', () => {
    expect(flatten(find(objects, 'ClusterRole', 'aspen'))).to.deep.equal(
      [
        'admissionregistration.k8s.io/mutatingwebhookconfigurations get [aspen-injector]',
        'admissionregistration.k8s.io/mutatingwebhookconfigurations patch [aspen-injector]',
        'admissionregistration.k8s.io/validatingwebhookconfigurations get [aspen-validator]',
        'admissionregistration.k8s.io/validatingwebhookconfigurations patch [aspen-validator]',
        'aspen.dev/apisecuritypolicies get',
        'aspen.dev/apisecuritypolicies list',
        'aspen.dev/apisecuritypolicies watch',
        'aspen.dev/apisecuritypolicies/finalizers update',
        'aspen.dev/apisecuritypolicies/status patch',
        'authentication.k8s.io/tokenreviews create',
        'core/configmaps list',
        'core/configmaps watch',
        'core/events create',
        'core/events patch',
        'core/namespaces get',
        'core/namespaces list',
        'core/namespaces watch',
        'core/pods list',
        'core/pods watch',
        'core/secrets list',
        'core/secrets watch',
        'core/services list',
        'core/services watch',
        'discovery.k8s.io/endpointslices list',
        'discovery.k8s.io/endpointslices watch',
        'events.k8s.io/events create',
        'events.k8s.io/events patch',
        'networking.k8s.io/networkpolicies create',
        'networking.k8s.io/networkpolicies delete',
        'networking.k8s.io/networkpolicies list',
        'networking.k8s.io/networkpolicies update',
        'networking.k8s.io/networkpolicies watch',
      ].sort(),
    );
  });

  it('limits writes in aspen’s namespace to its Lease, sync reports, three Secrets and the self-test dry run', () => {
    expect(flatten(find(objects, 'Role', 'aspen'))).to.deep.equal(
      [
        'aspen.dev/apisecuritypolicies create',
        'coordination.k8s.io/leases get [aspen-leader]',
        'coordination.k8s.io/leases update [aspen-leader]',
        'coordination.k8s.io/leases create',
        'coordination.k8s.io/leases list',
        'coordination.k8s.io/leases watch',
        'core/configmaps create',
        'core/configmaps update',
        'core/configmaps delete',
        'core/configmaps list',
        'core/configmaps watch',
        'core/secrets get [aspen-ca,aspen-webhook-tls,aspen-dataplane-tls]',
        'core/secrets update [aspen-ca,aspen-webhook-tls,aspen-dataplane-tls]',
        'core/secrets create',
      ].sort(),
    );
  });

  it('gives the dataplane only policy reads and Secret gets (no list: it reads referenced keys by name)', () => {
    expect(flatten(find(objects, 'ClusterRole', 'aspen-dataplane'))).to.deep.equal([
      'aspen.dev/apisecuritypolicies list',
      'aspen.dev/apisecuritypolicies watch',
      'core/secrets get',
    ]);
  });

  it('binds each role to its own component’s ServiceAccount only', () => {
    for (const o of objects.filter((x) => x.kind === 'ClusterRoleBinding' || x.kind === 'RoleBinding')) {
      const sa = o.metadata.name === 'aspen-dataplane' ? 'aspen-dataplane' : 'aspen';
      expect(o.subjects, `${o.kind}/${o.metadata.name}`).to.deep.equal([
        { kind: 'ServiceAccount', name: sa, namespace: 'aspen-system' },
      ]);
      expect((o.roleRef as { name: string }).name).to.equal(o.metadata.name);
    }
  });

  it('has no wildcard anywhere', () => {
    for (const o of objects.filter((x) => x.kind === 'ClusterRole' || x.kind === 'Role')) {
      for (const r of o.rules as Rule[]) {
        expect([...r.apiGroups, ...r.resources, ...r.verbs], `${o.kind}/${o.metadata.name}`).to.not.include(
          '*',
        );
      }
    }
  });

  for (const file of ['rbac.yaml', 'crd-upgrade-job.yaml']) {
    it(`justifies every rule of templates/${file} with a comment`, () => {
      const lines = readFileSync(path.join(chartDir(), 'templates', file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!/^\s*- apiGroups:/.test(line)) return;
        expect(lines[i - 1] ?? '', `${file}:${i + 1} has no comment above it`).to.match(/^\s*#/);
      });
    });
  }
});
