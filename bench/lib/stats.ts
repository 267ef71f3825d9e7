/**
 * Small statistics for noisy machines: medians and quartiles of samples taken interleaved with
 * their baseline, so that a load change hits both sides of a ratio alike.
 */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    median: median(values),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/**
 * Runs every variant once per round, rotating the order each round so that no variant always runs
 * first (after a pause) or last; returns each variant's samples.
 */
export async function interleave<K extends string>(
  rounds: number,
  variants: readonly K[],
  measure: (variant: K, round: number) => Promise<number>,
): Promise<Record<K, number[]>> {
  const samples = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length];
      samples[variant].push(await measure(variant, round));
    }
  }
  return samples;
}

/** `12.3 ms`, `4.56 s`. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value < 1000) return `${value.toFixed(value < 100 ? 1 : 0)} ms`;
  return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
}

export function mb(kilobytes: number): string {
  return `${(kilobytes / 1024).toFixed(1)} MB`;
}
