import { expect } from 'chai';
import { parseManifests, type ParseResult } from '../../../src/provider/file/manifests.js';

const MiB = 1024 * 1024;
const HEADER = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n';
const NEXT = '---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: after\n';

/** Parses and measures how long it took. */
function timed(text: string): ParseResult & { ms: number } {
  const start = performance.now();
  const result = parseManifests(text, 'f.yaml');
  return { ...result, ms: performance.now() - start };
}

/** A ConfigMap document of exactly `bytes` UTF-8 bytes, padded with `fill` (1 or 2 bytes per character). */
function documentOfBytes(bytes: number, fill: 'a' | 'é'): string {
  const prefix = `${HEADER}data:\n  pad: `;
  const room = bytes - Buffer.byteLength(prefix) - 1;
  const pad = fill === 'a' ? 'a'.repeat(room) : `${'é'.repeat(Math.floor(room / 2))}${'a'.repeat(room % 2)}`;
  return `${prefix}${pad}\n`;
}

/** `levels` nested flow sequences holding one string, as the value of a field. */
function nestedFlow(levels: number): string {
  return `${HEADER}deep: ${'['.repeat(levels)}x${']'.repeat(levels)}\n`;
}

/** `levels` nested block mappings (the root mapping is level 1). */
function nestedBlock(levels: number): string {
  let text = HEADER;
  for (let level = 1; level < levels; level += 1) text += `${'  '.repeat(level - 1)}k${level}:\n`;
  return `${text}${'  '.repeat(levels - 1)}leaf: x\n`;
}

/** A document with `count` aliases to one anchor. */
function aliases(count: number): string {
  return `${HEADER}anchor: &a x\nuses: [${Array<string>(count).fill('*a').join(', ')}]\n`;
}

/** The classic billion laughs: nine levels, each repeating the previous one nine times (81 aliases). */
const BILLION_LAUGHS = `${HEADER}data:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

describe('parseManifests safety limits', () => {
  describe('document size (3 MiB)', () => {
    it('accepts a document of exactly 3 MiB', () => {
      const { manifests, errors } = timed(documentOfBytes(3 * MiB, 'a'));
      expect(errors).to.deep.equal([]);
      expect(manifests).to.have.length(1);
    });

    it('refuses a document one byte over 3 MiB and still reads the next document', () => {
      const { manifests, errors } = timed(documentOfBytes(3 * MiB + 1, 'a') + NEXT);
      expect(errors).to.deep.equal([{ file: 'f.yaml', line: 1, message: 'document is larger than 3 MiB' }]);
      expect(manifests.map((m) => m.object['kind'])).to.deep.equal(['Pod']);
      expect(manifests[0]?.source.line).to.equal(8);
    });

    it('counts UTF-8 bytes, not characters', () => {
      const text = documentOfBytes(3 * MiB + 2, 'é');
      expect(text.length).to.be.below(3 * MiB);
      expect(timed(text).errors.map((e) => e.message)).to.deep.equal(['document is larger than 3 MiB']);
    });

    it('refuses an oversized bare document after an explicit document end, while parsing it', () => {
      // The scan for marker lines does not size documents that follow `...`: the parser's own count refuses it.
      const text = `${HEADER}...\n${HEADER}data:\n  pad: ${'a'.repeat(4 * MiB)}\n${NEXT}`;
      const { manifests, errors } = timed(text);
      expect(errors).to.deep.equal([{ file: 'f.yaml', line: 6, message: 'document is larger than 3 MiB' }]);
      expect(manifests.map((m) => m.object['kind'])).to.deep.equal(['ConfigMap', 'Pod']);
    });

    it('refuses a 40 MiB document of many small lines without parsing all of it', () => {
      const lines = '  - key: value\n'.repeat((40 * MiB) / 15);
      const { manifests, errors, ms } = timed(`${HEADER}items:\n${lines}${NEXT}`);
      expect(errors.map((e) => e.message)).to.deep.equal(['document is larger than 3 MiB']);
      expect(manifests.map((m) => m.object['kind'])).to.deep.equal(['Pod']);
      // Parsing the whole document takes minutes and gigabytes, parsing its first 3 MiB seconds; this needs neither.
      expect(ms).to.be.below(2000);
    });
  });

  describe('nesting depth (100 levels)', () => {
    it('accepts 100 levels of flow sequences and refuses 101 (the root mapping counts as one)', () => {
      expect(timed(nestedFlow(99)).manifests).to.have.length(1);
      const { manifests, errors } = timed(nestedFlow(100));
      expect(manifests).to.deep.equal([]);
      expect(errors).to.deep.equal([
        { file: 'f.yaml', line: 5, message: 'nesting is deeper than 100 levels' },
      ]);
      const empty = timed(`${HEADER}deep: ${'['.repeat(100)}${']'.repeat(100)}\n`);
      expect(empty.errors.map((e) => e.message)).to.deep.equal(['nesting is deeper than 100 levels']);
    });

    it('accepts 100 levels of block mappings and refuses 101', () => {
      expect(timed(nestedBlock(100)).errors).to.deep.equal([]);
      expect(timed(nestedBlock(100)).manifests).to.have.length(1);
      const { manifests, errors } = timed(nestedBlock(101));
      expect(manifests).to.deep.equal([]);
      expect(errors.map((e) => e.message)).to.deep.equal(['nesting is deeper than 100 levels']);
    });

    it('refuses a million open brackets quickly', () => {
      const { errors, ms } = timed(`${HEADER}deep: ${'['.repeat(1_000_000)}\n${NEXT}`);
      expect(errors.map((e) => e.message)).to.deep.equal(['nesting is deeper than 100 levels']);
      expect(ms).to.be.below(2000);
    });
  });

  describe('aliases (100 per document)', () => {
    it('accepts 100 aliases and refuses 101', () => {
      expect(timed(aliases(100)).manifests).to.have.length(1);
      const { manifests, errors } = timed(aliases(101));
      expect(manifests).to.deep.equal([]);
      expect(errors).to.deep.equal([
        { file: 'f.yaml', line: 1, message: 'more than 100 aliases in a document' },
      ]);
    });

    it('refuses the billion laughs quickly, although it has fewer than 100 aliases', () => {
      const { manifests, errors, ms } = timed(BILLION_LAUGHS + NEXT);
      expect(errors).to.have.length(1);
      expect(errors[0]?.message).to.match(/aliases expand too much/);
      expect(manifests.map((m) => m.object['kind'])).to.deep.equal(['Pod']);
      expect(ms).to.be.below(1000);
    });

    it('refuses a billion laughs with more than 100 aliases before expanding anything', () => {
      const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
      for (const [prev, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi', 'ij', 'jk', 'kl']) {
        levels.push(`${name}: &${name} [${Array<string>(10).fill(`*${prev}`).join(', ')}]`);
      }
      const { errors, ms } = timed(`${HEADER}${levels.join('\n')}\n`);
      expect(errors.map((e) => e.message)).to.deep.equal(['more than 100 aliases in a document']);
      expect(ms).to.be.below(1000);
    });
  });
});
