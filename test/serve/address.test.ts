import { expect } from 'chai';
import { formatListenAddress, isLoopback, parseListenAddress } from '../../src/serve/address.js';

describe('serve listen addresses', () => {
  it('parses host:port and [v6]:port', () => {
    expect(parseListenAddress('127.0.0.1:15010')).to.deep.equal({ host: '127.0.0.1', port: 15010 });
    expect(parseListenAddress('[::1]:0')).to.deep.equal({ host: '::1', port: 0 });
    expect(parseListenAddress('localhost:8081')).to.deep.equal({ host: 'localhost', port: 8081 });
    expect(parseListenAddress('::1:80')).to.be.a('string');
    expect(parseListenAddress('127.0.0.1:70000')).to.be.a('string');
    expect(parseListenAddress('127.0.0.1')).to.be.a('string');
  });

  it('knows loopback: 127.0.0.0/8, ::1, localhost', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      'localhost',
    ]) {
      expect(isLoopback(host), host).to.equal(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '128.0.0.1',
      'example.com',
      '::2',
      'localhost.evil.com',
    ]) {
      expect(isLoopback(host), host).to.equal(false);
    }
  });

  it('brackets IPv6 hosts for grpc-js', () => {
    expect(formatListenAddress({ host: '::1', port: 1 })).to.equal('[::1]:1');
    expect(formatListenAddress({ host: '127.0.0.1', port: 1 })).to.equal('127.0.0.1:1');
  });
});
