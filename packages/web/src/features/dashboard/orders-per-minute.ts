/** One bar of the orders-per-minute chart. */
export interface MinuteBar {
  /** The start of the minute (UTC, ISO 8601). */
  minute: string;
  /** `14:05`, in the reader's time zone. */
  label: string;
  count: number;
}

/** The chart's bars, labelled with the reader's local clock time. */
export function minuteBars(
  minutes: readonly { minute: string; count: number }[],
  locale?: string,
): MinuteBar[] {
  const format = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  return minutes.map(({ minute, count }) => ({
    minute,
    count,
    label: format.format(new Date(minute)),
  }));
}

/** The chart in one sentence, for screen readers and as the figure's caption. */
export function summarizeMinutes(minutes: readonly { count: number }[]): string {
  const total = minutes.reduce((sum, m) => sum + m.count, 0);
  const peak = minutes.reduce((max, m) => Math.max(max, m.count), 0);
  const last = minutes.at(-1)?.count ?? 0;
  const plural = (n: number) => (n === 1 ? 'order' : 'orders');
  return (
    `${total} ${plural(total)} in the last ${minutes.length} minutes; ` +
    `at most ${peak} in one minute; ${last} in the current minute.`
  );
}
