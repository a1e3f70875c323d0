/** Reads figures out of Prometheus' text exposition format, for tests that scrape `/metrics`. */

/**
 * The sum of a metric's samples whose labels include `labels` (all samples without it). Label
 * values in the tests' metrics hold no quotes or commas, which keeps the parse simple.
 */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const own = Object.fromEntries((match[2] ?? '').split(',').filter(Boolean).map((pair) => {
      const [key, value] = pair.split('=');
      return [key, JSON.parse(value!) as string];
    }));
    if (Object.entries(labels).every(([key, value]) => own[key] === value)) sum += Number(match[3]);
  }
  return sum;
}
