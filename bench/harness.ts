/**
 * @file Benchmark plumbing shared by the JavaScript workers: timing with medians, and the result record each prints.
 */

/** One measured workload of one library configuration. @example { id: 'W2', case: 'n=1024', value: 21.3, unit: 'GFLOP/s' } */
export interface Result {
  id: string;
  case: string;
  value: number;
  unit: string;
  /** Whether a larger value is better (GFLOP/s) or a smaller one (ms). */
  higherIsBetter: boolean;
  /** Optional second figure (GB/s for W4). */
  extra?: string;
}

/** Lets finalizers and timers run between iterations, as a real training loop that yields would. */
export const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Median milliseconds of `fn` over `reps` timed runs after `warmup` untimed ones (at least `minMs` of timed runs).
 * @example const ms = await medianMs(() => step(), { warmup: 3, reps: 10 });
 */
export async function medianMs(
  fn: () => unknown,
  opts: { warmup?: number; reps?: number; minMs?: number; maxReps?: number } = {},
): Promise<number> {
  const { warmup = 2, reps = 7, minMs = 300, maxReps = 200 } = opts;
  for (let i = 0; i < warmup; i++) {
    await fn();
    await yieldToLoop();
  }
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < reps || (performance.now() - t0 < minMs && times.length < maxReps)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
    await yieldToLoop();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Fixed pseudo-random data (the same in every library). @example const a = seeded(1000, 1); */
export function seeded(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/** Square sizes of W2; slow libraries stop earlier. @example W2_SIZES */
export const W2_SIZES = [64, 256, 512, 1024, 2048];
