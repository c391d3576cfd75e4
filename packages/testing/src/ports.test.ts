import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LOOPBACK, freePort, freePorts } from './ports.js';

async function listenOn(port: number): Promise<() => Promise<void>> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, resolve);
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
}

describe('free ports', () => {
  it('hands out a loopback port that can be listened on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const close = await listenOn(port);
    await close();
  });

  it('never hands out the same port twice in a row, even before anyone listens on it', async () => {
    const ports = await freePorts(8);
    expect(new Set(ports).size).toBe(8);
    const closers = await Promise.all(ports.map(listenOn));
    await Promise.all(closers.map((close) => close()));
  });

  it('does not hand out a port that is taken', async () => {
    const taken = await freePort();
    const close = await listenOn(taken);
    try {
      const others = await freePorts(20);
      expect(others).not.toContain(taken);
    } finally {
      await close();
    }
  });
});
