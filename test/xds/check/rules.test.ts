import { expect } from 'chai';
import { re2Problem } from '../../../src/xds/check/re2.js';
import { rangeProblem } from '../../../src/xds/check/range.js';
import {
  ruleKinds,
  SUPPORTED_RULE_KINDS,
  uncheckedKinds,
  uncheckedRuleKinds,
} from '../../../src/xds/check/rules.js';
import { checkBool, checkEnum, checkNumber } from '../../../src/xds/check/scalars.js';
import { checkBytes, checkString, hostnameProblem } from '../../../src/xds/check/strings.js';
import { checkAny, checkDuration, goDuration, parseJsonDuration } from '../../../src/xds/check/wkt.js';
import { envoyDescriptors } from '../../../src/xds/proto/descriptors.js';
import type { DescEnum } from '@bufbuild/protobuf';

describe('xds/check rules: coverage of the rule kinds Envoy uses', () => {
  it('every rule kind used by the generated Envoy protos is implemented (unchecked list is empty)', () => {
    expect(uncheckedRuleKinds()).to.deep.equal([]);
  });

  it('lists nested kinds and reports unknown ones', () => {
    expect(
      ruleKinds({ repeated: { min_items: '1', items: { string: { min_len: '1', strict: false } } } }),
    ).to.deep.equal(['repeated.min_items', 'string.min_len']);
    expect(SUPPORTED_RULE_KINDS.has('timestamp.lt_now')).to.equal(false);
    expect(uncheckedKinds({ timestamp: { lt_now: true }, message: { required: true } })).to.deep.equal([
      'timestamp.lt_now',
    ]);
    expect(uncheckedKinds({ string: { email: true, min_len: '1' } })).to.deep.equal(['string.email']);
    expect(SUPPORTED_RULE_KINDS.has('string.email')).to.equal(false);
  });
});

describe('xds/check rules: each rule kind, passing and failing', () => {
  it('numbers: const, in, not_in, gt/gte/lt/lte, ranges, ignore_empty, 64-bit as strings', () => {
    expect(checkNumber({ gt: 0 }, 1)).to.deep.equal([]);
    expect(checkNumber({ gt: 0 }, 0)).to.deep.equal(['value must be greater than 0']);
    expect(checkNumber({ gte: 1 }, 0)).to.deep.equal(['value must be greater than or equal to 1']);
    expect(checkNumber({ lt: '65536' }, 65536)).to.deep.equal(['value must be less than 65536']);
    expect(checkNumber({ lte: 5 }, 6)).to.deep.equal(['value must be less than or equal to 5']);
    expect(checkNumber({ gte: 200, lt: 600 }, 600)).to.deep.equal(['value must be inside range [200, 600)']);
    expect(checkNumber({ gte: 200, lt: 600 }, 404)).to.deep.equal([]);
    expect(checkNumber({ gt: 10, lt: 5 }, 7)).to.deep.equal(['value must be outside range [5, 10]']);
    expect(checkNumber({ gt: 10, lt: 5 }, 11)).to.deep.equal([]);
    expect(checkNumber({ const: 3 }, 4)).to.deep.equal(['value must equal 3']);
    expect(checkNumber({ in: [1, 2] }, 3)).to.deep.equal(['value must be in list [1 2]']);
    expect(checkNumber({ not_in: ['1'] }, 1)).to.deep.equal(['value must not be in list [1]']);
    expect(checkNumber({ gt: 0, ignore_empty: true }, 0)).to.deep.equal([]);
    expect(checkNumber({ gte: 1.5 }, 1.25)).to.deep.equal(['value must be greater than or equal to 1.5']);
  });

  it('bool and enum', () => {
    expect(checkBool({ const: true }, true)).to.deep.equal([]);
    expect(checkBool({ const: true }, false)).to.deep.equal(['value must equal true']);
    const desc = envoyDescriptors().getEnum('envoy.config.core.v3.RequestMethod') as DescEnum;
    expect(checkEnum({ defined_only: true }, 9, desc)).to.deep.equal([]);
    expect(checkEnum({ defined_only: true }, 99, desc)).to.deep.equal([
      'value must be one of the defined enum values',
    ]);
    expect(checkEnum({ in: [1, 3] }, 2, desc)).to.deep.equal(['value must be in list [1 3]']);
    expect(checkEnum({ not_in: [6] }, 6, desc)).to.deep.equal(['value must not be in list [6]']);
    expect(checkEnum({ const: 1 }, 2, desc)).to.deep.equal(['value must equal 1']);
  });

  it('strings: lengths in runes and bytes', () => {
    expect(checkString({ min_len: '1' }, 'é')).to.deep.equal([]);
    expect(checkString({ max_len: 1 }, 'é')).to.deep.equal([]);
    expect(checkString({ max_bytes: 1 }, 'é')).to.deep.equal(['value length must be at most 1 bytes']);
    expect(checkString({ min_bytes: 3 }, 'é')).to.deep.equal(['value length must be at least 3 bytes']);
    expect(checkString({ len: 2 }, 'abc')).to.deep.equal(['value length must be 2 runes']);
    expect(checkString({ len_bytes: 2 }, 'abc')).to.deep.equal(['value length must be 2 bytes']);
    expect(checkString({ max_len: 2 }, 'abc')).to.deep.equal(['value length must be at most 2 runes']);
  });

  it('strings: const, in, not_in, pattern, prefix, suffix, contains, not_contains, ignore_empty', () => {
    expect(checkString({ const: 'a' }, 'b')).to.deep.equal(['value must equal "a"']);
    expect(checkString({ in: ['http', 'https'] }, 'https')).to.deep.equal([]);
    expect(checkString({ not_in: ['x'] }, 'x')).to.deep.equal(['value must not be in list [x]']);
    expect(checkString({ pattern: '^[a-z]+$' }, 'abc')).to.deep.equal([]);
    expect(checkString({ pattern: '^[a-z]+$' }, 'aBc')).to.deep.equal([
      'value does not match regex pattern "^[a-z]+$"',
    ]);
    expect(checkString({ pattern: '(?i)^[a-z]+$' }, 'aBc')).to.deep.equal([]);
    expect(checkString({ pattern: '^(a)\\1$' }, 'aa')[0]).to.match(/does not compile as RE2/);
    expect(checkString({ prefix: '%', suffix: '%' }, '%X%')).to.deep.equal([]);
    expect(checkString({ contains: 'b' }, 'abc')).to.deep.equal([]);
    expect(checkString({ contains: 'z' }, 'abc')).to.deep.equal(['value does not contain substring "z"']);
    expect(checkString({ not_contains: 'b' }, 'abc')).to.deep.equal(['value contains substring "b"']);
    expect(checkString({ prefix: '%', ignore_empty: true }, '')).to.deep.equal([]);
  });

  it('strings: well-known formats and header regexes (strict and lax)', () => {
    expect(checkString({ hostname: true }, 'api.example.com')).to.deep.equal([]);
    expect(checkString({ hostname: true }, '-bad.example')).to.deep.equal(['value must be a valid hostname']);
    expect(hostnameProblem('a..b')).to.equal(
      'hostname part must be non-empty and cannot exceed 63 characters',
    );
    expect(checkString({ ip: true }, '10.0.0.1')).to.deep.equal([]);
    expect(checkString({ ip: true }, '10.0.0.256')).to.deep.equal(['value must be a valid IP address']);
    expect(checkString({ ipv4: true }, '::1')).to.deep.equal(['value must be a valid IPv4 address']);
    expect(checkString({ ipv6: true }, '::1')).to.deep.equal([]);
    expect(checkString({ ipv6: true }, '::ffff:1.2.3.4')).to.deep.equal([
      'value must be a valid IPv6 address',
    ]);
    expect(checkString({ uri: true }, 'https://idp.example/jwks')).to.deep.equal([]);
    expect(checkString({ uri: true }, '/relative')).to.deep.equal(['value must be absolute']);
    expect(checkString({ uri_ref: true }, '/relative')).to.deep.equal([]);
    expect(checkString({ address: true }, 'svc.ns')).to.deep.equal([]);
    expect(checkString({ uuid: true }, 'nope')).to.deep.equal(['value must be a valid UUID']);
    expect(checkString({ well_known_regex: 'HTTP_HEADER_NAME' }, ':authority')).to.deep.equal([]);
    expect(checkString({ well_known_regex: 'HTTP_HEADER_NAME' }, 'a b')).to.have.length(1);
    expect(checkString({ well_known_regex: 'HTTP_HEADER_NAME' }, 'a,b')).to.deep.equal([]);
    expect(checkString({ well_known_regex: 'HTTP_HEADER_NAME', strict: false }, 'a b')).to.deep.equal([]);
    expect(checkString({ well_known_regex: 'HTTP_HEADER_NAME', strict: false }, 'a\nb')).to.have.length(1);
    expect(checkString({ well_known_regex: 'HTTP_HEADER_VALUE' }, 'a\tb')).to.deep.equal([]);
    expect(checkString({ well_known_regex: 'HTTP_HEADER_VALUE' }, 'a\x7fb')).to.have.length(1);
  });

  it('bytes', () => {
    const v = new Uint8Array([1, 2, 3]);
    expect(checkBytes({ min_len: '1', max_len: '3' }, v)).to.deep.equal([]);
    expect(checkBytes({ max_len: '2' }, v)).to.deep.equal(['value length must be at most 2 bytes']);
    expect(checkBytes({ len: 4 }, v)).to.deep.equal(['value length must be 4 bytes']);
    expect(checkBytes({ prefix: 'AQ==' }, v)).to.deep.equal([]);
    expect(checkBytes({ suffix: 'AQ==' }, v)).to.deep.equal(['value does not have the required suffix']);
    expect(checkBytes({ contains: 'Ag==' }, v)).to.deep.equal([]);
    expect(checkBytes({ const: 'AQID' }, v)).to.deep.equal([]);
    expect(checkBytes({ in: ['AQ=='] }, v)).to.deep.equal(['value must be in list']);
  });

  it('durations: parse, print as Go does, compare', () => {
    expect(parseJsonDuration('1.5s')).to.equal(1_500_000_000n);
    expect(parseJsonDuration('-0.001s')).to.equal(-1_000_000n);
    expect(goDuration(300_000_000_000n)).to.equal('5m0s');
    expect(goDuration(1_500_000_000n)).to.equal('1.5s');
    expect(goDuration(250_000_000n)).to.equal('250ms');
    expect(checkDuration({ gt: '0s' }, { seconds: 0, nanos: 1 })).to.deep.equal([]);
    expect(checkDuration({ gte: '0.001s' }, { seconds: 0, nanos: 1 })).to.deep.equal([
      'value must be greater than or equal to 1ms',
    ]);
    expect(checkDuration({ lte: '1s' }, { seconds: 2, nanos: 0 })).to.deep.equal([
      'value must be less than or equal to 1s',
    ]);
    expect(checkDuration({ const: '1s' }, { seconds: 2, nanos: 0 })).to.deep.equal(['value must equal 1s']);
    expect(checkDuration({ in: ['1s'] }, { seconds: 2, nanos: 0 })).to.deep.equal([
      'value must be in list [1s]',
    ]);
    expect(checkDuration({ not_in: ['2s'] }, { seconds: 2, nanos: 0 })).to.deep.equal([
      'value must not be in list [2s]',
    ]);
    expect(checkDuration({}, { seconds: 1, nanos: 1e9 })).to.deep.equal(['value is not a valid duration']);
  });

  it('any: in and not_in', () => {
    const url = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
    expect(checkAny({ in: [url] }, url)).to.deep.equal([]);
    expect(checkAny({ in: ['x'] }, url)).to.deep.equal(['type URL must be in list [x]']);
    expect(checkAny({ not_in: [url] }, url)).to.have.length(1);
  });

  it('ranges over durations (bigint) use the same wording', () => {
    expect(rangeProblem(5n, { gte: 1n, lte: 3n }, String)).to.deep.equal([
      'value must be inside range [1, 3]',
    ]);
  });
});

describe('xds/check re2Problem: RE2 syntax (re2js)', () => {
  const ok = [
    '^/api/v[0-9]+/.*$',
    '(?i)^/admin',
    '(?P<id>[0-9]+)',
    '\\d{1,1000}',
    'a\\z',
    '[(?=]',
    '\\pL+',
    '[\\w.-]+',
  ];
  const bad: [string, RegExp][] = [
    ['/(?!admin).*', /invalid or unsupported Perl syntax/],
    ['(?<=a)b', /invalid named capture/],
    ['(a)\\1', /invalid escape sequence: `\\1`/],
    ['(?<n>a)\\k<n>', /invalid escape sequence/],
    ['(?>a)', /invalid or unsupported Perl syntax/],
    ['a++', /invalid nested repetition operator/],
    ['a{1001}', /invalid repeat count/],
    ['[a-', /missing closing \]/],
    ['(a', /missing closing \)/],
    ['a\\Z', /invalid escape sequence: `\\Z`/],
    ['\\u0041', /invalid escape sequence/],
    ['[\\e]', /invalid escape sequence/],
    ['a\\', /trailing backslash/],
  ];
  for (const re of ok) {
    it(`accepts ${re}`, () => expect(re2Problem(re)).to.equal(undefined));
  }
  for (const [re, why] of bad) {
    it(`rejects ${re}`, () => expect(re2Problem(re)).to.match(why));
  }
});
