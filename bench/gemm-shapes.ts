/**
 * @file The MLP step's (W3) products one by one, with the operand layouts autograd hands to matmul (W^T views,
 * x^T views), min of N in one process next to the ceiling. `BENCH_THREADS=1 npx tsx bench/gemm-shapes.ts`
 */
import { getBackend } from '../src/backend/devices.js';
import { setNumThreads, threadsReady } from '../src/backend/threads/api.js';
import type { WasmBackend } from '../src/backend/wasm/wasm.js';
import * as torch from '../src/index.js';
import { seeded } from './harness.js';

const threads = Number(process.env.BENCH_THREADS ?? 1);
setNumThreads(threads);
await threadsReady();
const be = getBackend('cpu') as WasmBackend;
const t = (n: number, shape: number[], seed: number): torch.Tensor =>
  torch.tensor(seeded(n, seed)).reshape(shape);
const x = t(128 * 784, [128, 784], 1);
const w1 = t(512 * 784, [512, 784], 2);
const w2 = t(512 * 512, [512, 512], 3);
const w3 = t(10 * 512, [10, 512], 4);
const h = t(128 * 512, [128, 512], 5);
const g10 = t(128 * 10, [128, 10], 6);
const cases: [string, () => unknown, number][] = [
  ['x@W1^T 128x784x512', () => torch.mm(x, w1.t()), 128 * 784 * 512],
  ['h@W2^T 128x512x512', () => torch.mm(h, w2.t()), 128 * 512 * 512],
  ['h@W3^T 128x512x10', () => torch.mm(h, w3.t()), 128 * 512 * 10],
  ['g@W3 128x10x512', () => torch.mm(g10, w3), 128 * 10 * 512],
  ['g@W2 128x512x512', () => torch.mm(h, w2), 128 * 512 * 512],
  ['h^T@g 512x128x512', () => torch.mm(h.t(), h), 512 * 128 * 512],
  ['x^T@g 784x128x512', () => torch.mm(x.t(), h), 784 * 128 * 512],
  ['h^T@g10 512x128x10', () => torch.mm(h.t(), g10), 512 * 128 * 10],
  ['g^T@x 512x128x784', () => torch.mm(h.t(), x), 512 * 128 * 784],
];
const best = new Map<string, number>();
const time = (fn: () => unknown): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
for (let r = 0; r < 15; r++) {
  const pk = time(() => be.call('peak', 1e6));
  best.set('ceiling', Math.min(best.get('ceiling') ?? 1e9, pk / (1e6 * 96)));
  for (const [name, fn, macs] of cases) {
    const ms = time(fn);
    best.set(name, Math.min(best.get(name) ?? 1e9, ms / macs));
  }
}
const out: Record<string, string> = {};
let total = 0;
for (const [name, , macs] of cases) {
  const perMac = best.get(name)!;
  total += perMac * macs;
  out[name] = `${(perMac * macs).toFixed(3)} ms  ${(2 / perMac / 1e6).toFixed(1)} GFLOP/s`;
}
out.ceiling = `${(1 / best.get('ceiling')! / 1e6).toFixed(1)} GFLOP/s (1 thread)`;
out.total = `${total.toFixed(2)} ms`;
console.log(JSON.stringify(out, null, 1));
process.exit(0);
