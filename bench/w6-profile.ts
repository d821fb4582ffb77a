/**
 * @file W6 (small CNN step) broken down by backend kernel call: time per method and shape, and the whole step.
 * Run: `BENCH_THREADS=1 npx tsx bench/w6-profile.ts`.
 */
import type { Backend } from '../src/backend/backend.js';
import { getBackend } from '../src/backend/devices.js';
import { setNumThreads, threadsReady } from '../src/backend/threads/api.js';
import { cnnStep } from './w6.js';

setNumThreads(Number(process.env.BENCH_THREADS ?? 1));
await threadsReady();
const be = getBackend('cpu') as Backend & Record<string, unknown>;
const stats = new Map<string, { ms: number; calls: number; step: number; min: number }>();
let depth = 0;
for (const name of [
  'unary',
  'binary',
  'where',
  'reduce',
  'matmul',
  'gather',
  'scatterAdd',
  'copy',
  'fill',
  'alloc',
  'fromArray',
  'im2col',
  'col2im',
  'maxPool2d',
  'maxPool2dBackward',
] as const) {
  const orig = (be[name] as (...a: unknown[]) => object).bind(be);
  (be as Record<string, unknown>)[name] = (...args: unknown[]) => {
    if (depth > 0) return orig(...args);
    depth++;
    const t = performance.now();
    try {
      return orig(...args);
    } finally {
      depth--;
      const shape = args.find((a) => Array.isArray(a)) as number[] | undefined;
      const op = typeof args[0] === 'string' ? `${args[0]} ` : '';
      const key = `${name} ${op}${name === 'matmul' ? args.slice(2, 6).join('x') : JSON.stringify(shape ?? args[1])}`;
      const s = stats.get(key) ?? { ms: 0, calls: 0, step: 0, min: Number.POSITIVE_INFINITY };
      const dt = performance.now() - t;
      s.ms += dt;
      s.step += dt;
      s.calls++;
      stats.set(key, s);
    }
  };
}
const step = cnnStep();
for (let i = 0; i < 5; i++) step();
stats.clear();
const reps = 40;
const times: number[] = [];
for (let i = 0; i < reps; i++) {
  const t = performance.now();
  step();
  times.push(performance.now() - t);
  for (const s of stats.values()) {
    s.min = Math.min(s.min, s.step);
    s.step = 0;
  }
}
times.sort((a, b) => a - b);
let total = 0;
let totalMin = 0;
for (const s of stats.values()) {
  total += s.ms;
  totalMin += s.min;
}
console.log(
  `step min ${times[0]!.toFixed(2)} median ${times[reps >> 1]!.toFixed(2)} ms; kernels ${(total / reps).toFixed(2)} ms/step (sum of per-kernel minima ${totalMin.toFixed(2)}); columns: mean, min per step`,
);
for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30))
  console.log(
    `${(s.ms / reps).toFixed(3).padStart(8)} ${s.min.toFixed(3).padStart(7)} ms  x${s.calls / reps}  ${k}`,
  );
