import getPort from 'get-port';

/** The loopback address every service under test listens on. */
export const LOOPBACK = '127.0.0.1';

/**
 * A free TCP port on the loopback interface. get-port also keeps a port it handed out from being
 * handed out again by this process for a while, so two services started side by side, each with
 * a port asked for before either listens, never get the same one.
 */
export async function freePort(): Promise<number> {
  return getPort({ host: LOOPBACK });
}

/** `count` distinct free loopback ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}
