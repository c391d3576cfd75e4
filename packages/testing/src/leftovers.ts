/** Something a test started: how to end it, and what to do if the process exits first. */
export interface Leftover {
  /** Ends it (kills the process, closes the server); may be called once it has ended already. */
  dispose(): Promise<void>;
  /** Synchronous last resort when this process exits with it still there (a crash, a timeout). */
  atExit?(): void;
}

/**
 * Everything the harness started and nothing has ended yet, oldest first. One list, disposed of
 * in one place, so a test that fails half-way leaves no process or port behind.
 */
const leftovers: Leftover[] = [];

process.once('exit', () => {
  for (const leftover of leftovers) leftover.atExit?.();
});

/** Adds `leftover` to the list; the returned function takes it off again (it ended by itself). */
export function trackLeftover(leftover: Leftover): () => void {
  leftovers.push(leftover);
  return () => {
    const at = leftovers.indexOf(leftover);
    if (at >= 0) leftovers.splice(at, 1);
  };
}

/**
 * Disposes of every leftover, newest first (a relay before the service behind it), each once,
 * even when one of them fails; then throws the first failure. For `afterAll`/`afterEach`, and a
 * suite's teardown.
 */
export async function disposeLeftovers(): Promise<void> {
  const failures: unknown[] = [];
  for (let leftover = leftovers.pop(); leftover !== undefined; leftover = leftovers.pop()) {
    try {
      await leftover.dispose();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} leftover(s) failed to dispose`);
  }
}

/** How many leftovers are tracked now. */
export function leftoverCount(): number {
  return leftovers.length;
}
