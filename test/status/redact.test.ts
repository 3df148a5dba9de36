/** NACK text is published in reports, status and Events: key material and credentials never are. */
import { expect } from 'chai';
import { REDACTED, redactSecrets } from '../../src/status/redact.js';

describe('redacting NACK text', () => {
  it('removes PEM blocks, inline data sources and credential values, and keeps the rest', () => {
    const text = [
      'Proto constraint validation failed (SecretValidationError.TlsCertificate):',
      'tls_certificate { private_key { inline_bytes: "LS0tLS1CRUdJTiBQUklWQVRF" } }',
      '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----',
      '"inlineString": "s3cr3t-value"',
      'header authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig',
      'x-api-key=abcdef1234567890',
    ].join('\n');
    const out = redactSecrets(text);
    for (const secret of [
      'LS0tLS1CRUdJTiBQUklWQVRF',
      'MHcCAQEEIBkg',
      's3cr3t-value',
      'eyJhbGciOiJSUzI1NiJ9',
      'abcdef1234567890',
    ]) {
      expect(out).not.to.contain(secret);
    }
    expect(out).to.contain('Proto constraint validation failed (SecretValidationError.TlsCertificate)');
    expect(out).to.contain(REDACTED);
  });

  it('leaves ordinary Envoy errors untouched', () => {
    const text =
      'Error adding/updating listener(s) inbound|8080: unknown field "bogus" in envoy.config.listener.v3.Listener';
    expect(redactSecrets(text)).to.equal(text);
  });
});
