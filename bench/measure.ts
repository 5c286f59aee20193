/**
 * How every benchmark is measured: subject and baseline run in alternating rounds (A B, B A, A B, …) so
 * that drift on a shared machine (other processes, disk cache, a warming JIT) hits both sides alike; each
 * side reports its median and min..max over the rounds, and the ratio compares medians.
 * @module
 */

/** Measured values of one side (per round: ops/s, or ms per op). */
export interface Sample {
  median: number;
  min: number;
  max: number;
  values: number[];
}

/** One compared measure. */
export interface Comparison {
  subject: Sample;
  baseline: Sample;
}

/** Median, min and max of some values. */
export function sample(values: number[]): Sample {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, values };
}

/**
 * Runs `rounds` rounds; in each, both sides run once, the order alternating from round to round. Each run
 * returns its own measurement (ops/s or ms/op), so a side's setup between rounds is never timed.
 */
export async function interleaved(
  rounds: number,
  subject: (round: number) => Promise<number>,
  baseline: (round: number) => Promise<number>,
): Promise<Comparison> {
  const s: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      s.push(await subject(round));
      b.push(await baseline(round));
    } else {
      b.push(await baseline(round));
      s.push(await subject(round));
    }
  }
  return { subject: sample(s), baseline: sample(b) };
}

/** Runs `items` through `work` with `concurrency` workers; returns ops/s. */
export async function throughput<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await work(item);
      }
    }),
  );
  return items.length / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Runs `work` once per item, one at a time; returns the median latency in ms. */
export async function medianLatency<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (const item of items) {
    const start = process.hrtime.bigint();
    await work(item);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return sample(times).median;
}

/** `1,234/s`, `1.23 ms`, … */
export function formatValue(value: number, unit: string): string {
  if (unit === '/s') return `${Math.round(value).toLocaleString('en-US')}/s`;
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  if (unit === 'µs') return `${value.toFixed(1)} µs`;
  return `${value.toFixed(2)} ${unit}`;
}

/** `median (min..max)` of a side. */
export function formatSample(s: Sample, unit: string): string {
  const short = (v: number) => formatValue(v, unit).replace(/\/s$|\s?ms$|\s?µs$/, '');
  return `${formatValue(s.median, unit)} (${short(s.min)}..${short(s.max)})`;
}
