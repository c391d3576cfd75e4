import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('never writes the bearer token or the payment token', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ logLevel: 'info' }, stream);
    logger.info({ req: { headers: { authorization: 'Bearer s3cret-token' } } }, 'request');
    logger.info({ body: { paymentToken: 'tok_card_4242' } }, 'body');
    logger.info({ command: { paymentToken: 'tok_card_4242' }, paymentToken: 'tok_card_4242' }, 'x');
    const output = lines.join('');
    expect(lines).toHaveLength(3);
    expect(output).not.toContain('s3cret-token');
    expect(output).not.toContain('tok_card_4242');
    expect(output).toContain('[redacted]');
  });

  it('respects the configured level', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ logLevel: 'warn' }, stream);
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
  });
});
