import { expect } from 'chai';
import { createLogger, isLogLevel, prettyLine } from '../../src/log.js';

describe('process logger', () => {
  it('writes one JSON record per line with structured fields, children and errors, secrets redacted', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(line) });
    logger.debug({}, 'hidden');
    logger
      .child({ component: 'xds' })
      .warn({ proxy: 'shop/orders', token: 'abc', err: new Error('boom') }, 'NACK');
    expect(lines).to.have.length(1);
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(record).to.include({
      level: 40,
      msg: 'NACK',
      component: 'xds',
      proxy: 'shop/orders',
      token: '[redacted]',
    });
    expect(record['err']).to.deep.include({ message: 'boom', type: 'Error' });
  });

  it('pretty mode prints one human line per record', () => {
    const lines: string[] = [];
    createLogger({ level: 'info', pretty: true, write: (line) => lines.push(line) }).info(
      { port: 1 },
      'listening',
    );
    expect(lines[0]).to.match(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}listening port=1\n$/);
    expect(prettyLine('not json')).to.equal('not json');
  });

  it('knows its levels', () => {
    expect(isLogLevel('debug')).to.equal(true);
    expect(isLogLevel('loud')).to.equal(false);
  });
});
