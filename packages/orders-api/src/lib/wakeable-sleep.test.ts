import { describe, expect, it } from 'vitest';
import { WakeableSleep } from './wakeable-sleep.js';

describe('WakeableSleep', () => {
  it('ends a sleep when woken', async () => {
    const alarm = new WakeableSleep();
    let done = false;
    const sleeping = alarm.sleep(60_000).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    alarm.wake();
    await sleeping;
    expect(done).toBe(true);
  });

  it('remembers a wake-up that came while awake until reset', async () => {
    const alarm = new WakeableSleep();
    alarm.wake();
    expect(alarm.woken).toBe(true);
    await alarm.sleep(60_000);
    alarm.reset();
    expect(alarm.woken).toBe(false);
    let done = false;
    void alarm.sleep(60_000).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    alarm.wake();
  });
});
