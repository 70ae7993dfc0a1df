// Small statistics and concurrency helpers the benchmark's phases share.

/** The p-th percentile (0–100) by the nearest-rank method; null for no samples. */
export function percentile(samples: number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function median(samples: number[]): number | null {
  return percentile(samples, 50);
}

export function mean(samples: number[]): number | null {
  return samples.length === 0 ? null : samples.reduce((sum, value) => sum + value, 0) / samples.length;
}

/** b / a, rounded to three decimals; null when either side is missing or a is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || a === 0) return null;
  return round(b / a, 3);
}

export function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function roundOrNull(value: number | null, decimals = 2): number | null {
  return value === null ? null : round(value, decimals);
}

/** Runs `count` jobs with at most `concurrency` at a time; results in job order. */
export async function pool<T>(count: number, concurrency: number, job: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await job(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/** The order in which two variants take their turns: ABBA ABBA …, so a slow drift of the machine favours neither. */
export function interleavedOrder<T>(first: T, second: T, roundsEach: number): T[] {
  const order: T[] = [];
  for (let round = 0; round < roundsEach; round++) order.push(...(round % 2 === 0 ? [first, second] : [second, first]));
  return order;
}
