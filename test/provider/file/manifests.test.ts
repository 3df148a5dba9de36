import { expect } from 'chai';
import { parseManifests } from '../../../src/provider/file/manifests.js';

const POD = `# a comment before the object
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
    - name: app
      image: web:1
      ports:
        - containerPort: 8080
          name: http
        - containerPort: 9090
`;

describe('parseManifests', () => {
  it('reads every document of a multi-document stream, with the line each object starts on', () => {
    const text = `${POD}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n\n---\n# only a comment\n`;
    const { manifests, errors, skipped } = parseManifests(text, 'shop.yaml');
    expect(errors).to.deep.equal([]);
    expect(skipped).to.deep.equal([]);
    expect(manifests.map((m) => [m.object['kind'], m.source])).to.deep.equal([
      ['Pod', { file: 'shop.yaml', line: 2 }],
      ['Service', { file: 'shop.yaml', line: 17 }],
    ]);
    expect(manifests[1]?.object).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
    });
  });

  it('expands a kind: List into its items, each located at its own line', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata: {name: one}',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata:',
      '      name: two',
      '',
    ].join('\n');
    const { manifests } = parseManifests(text, 'list.yaml');
    expect(manifests.map((m) => (m.object['metadata'] as { name: string }).name)).to.deep.equal([
      'one',
      'two',
    ]);
    expect(manifests.map((m) => m.source.line)).to.deep.equal([4, 7]);
    expect(manifests[1]?.lineOf(['metadata', 'name'])).to.equal(10);
  });

  it('skips documents that are not Kubernetes objects, and says where they are', () => {
    const text =
      'replicaCount: 3\nimage: {tag: v1}\n---\n- a list\n---\njust a string\n---\napiVersion: 1\nkind: Pod\n';
    const { manifests, errors, skipped } = parseManifests(text, 'values.yaml');
    expect(manifests).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    expect(skipped.map((s) => s.line)).to.deep.equal([1, 4, 6, 8]);
  });

  it('skips List items that are not objects but keeps the others', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - 42\n  - apiVersion: v1\n    kind: Pod\n';
    const { manifests, skipped } = parseManifests(text, 'f.yaml');
    expect(manifests.map((m) => m.object['kind'])).to.deep.equal(['Pod']);
    expect(skipped).to.deep.equal([{ file: 'f.yaml', line: 4 }]);
  });

  describe('lineOf', () => {
    const [pod] = parseManifests(`${POD}`, 'pod.yaml').manifests;
    const lineOf = (path: Array<string | number>): number | undefined => pod?.lineOf(path);

    it('gives the line of a nested field and of list items', () => {
      expect(lineOf(['metadata', 'labels', 'app'])).to.equal(7);
      expect(lineOf(['spec', 'containers', 0])).to.equal(10);
      expect(lineOf(['spec', 'containers', 0, 'ports', 1, 'containerPort'])).to.equal(15);
      expect(lineOf(['spec', 'containers', 0, 'ports', 0, 'name'])).to.equal(14);
    });

    it('gives the line of the object for the empty path', () => {
      expect(lineOf([])).to.equal(2);
    });

    it('gives the line of the deepest existing ancestor of a missing field', () => {
      expect(lineOf(['spec', 'containers', 0, 'resources', 'limits'])).to.equal(10);
      expect(lineOf(['spec', 'containers', 5, 'image'])).to.equal(9);
      expect(lineOf(['spec', 'securityContext'])).to.equal(8);
      expect(lineOf(['metadata', 'labels', 'app', 'deeper'])).to.equal(7);
    });

    it('counts lines from the start of the file in later documents', () => {
      const [, second] = parseManifests(`${POD}---\n${POD}`, 'two.yaml').manifests;
      expect(second?.lineOf(['spec', 'containers', 0, 'ports', 1, 'containerPort'])).to.equal(15 + 16);
    });

    it('follows aliases and merge keys to where the value is written', () => {
      const text = [
        'apiVersion: v1',
        'kind: ConfigMap',
        'x-defaults: &defaults',
        '  team: shop',
        'metadata:',
        '  name: m',
        '  labels:',
        '    <<: *defaults',
        '    tier: web',
        '',
      ].join('\n');
      const [manifest] = parseManifests(text, 'merge.yaml').manifests;
      expect(manifest?.object['metadata']).to.deep.equal({
        name: 'm',
        labels: { team: 'shop', tier: 'web' },
      });
      expect(manifest?.lineOf(['metadata', 'labels', 'tier'])).to.equal(9);
      expect(manifest?.lineOf(['metadata', 'labels', 'team'])).to.equal(4);
    });
  });

  describe('errors', () => {
    it('reports a syntax error with the line it is on and reads the other documents', () => {
      const text =
        'apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: "unterminated\n';
      const { manifests, errors } = parseManifests(text, 'bad.yaml');
      expect(manifests).to.have.length(1);
      expect(errors).to.have.length.greaterThan(0);
      expect(errors[0]).to.include({ file: 'bad.yaml', line: 7 });
      expect(errors[0]?.message).to.match(/quote/i);
    });

    it('reports a duplicate key and drops the document', () => {
      const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {}\n  name: b\n';
      const { manifests, errors } = parseManifests(text, 'dup.yaml');
      expect(manifests).to.deep.equal([]);
      expect(errors).to.deep.equal([{ file: 'dup.yaml', line: 6, message: 'duplicate key "name"' }]);
    });

    it('reports a mapping key that is a collection', () => {
      const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  ? [a, b]\n  : c\n';
      const { manifests, errors } = parseManifests(text, 'key.yaml');
      expect(manifests).to.deep.equal([]);
      expect(errors).to.deep.equal([
        { file: 'key.yaml', line: 4, message: 'a mapping key must be a scalar, not a collection' },
      ]);
    });

    it('keeps messages short even when the offending text is long', () => {
      const long = 'x'.repeat(100_000);
      const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: "${long}\n---\n${long}: [\n`;
      const { errors } = parseManifests(text, 'long.yaml');
      expect(errors).to.have.length.greaterThan(0);
      for (const error of errors) expect(error.message.length).to.be.at.most(200);
    });
  });
});
