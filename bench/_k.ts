import { getBackend } from '../src/backend/devices.js';
import { setNumThreads } from '../src/backend/threads/api.js';
import { float32 } from '../src/core/dtype.js';
import { seeded } from './harness.js';
setNumThreads(1);
const be = getBackend('cpu') as any;
const n = 1e6;
const A = { buf: be.fromArray(float32, seeded(n, 1)), dtype: float32, strides: [1], offset: 0 };
const B = { buf: be.fromArray(float32, seeded(n, 2)), dtype: float32, strides: [1], offset: 0 };
const S = { buf: be.fromArray(float32, new Float32Array(4096).fill(2)), dtype: float32, strides: [0], offset: 0 };
const cases: [string, () => any][] = [
  ['mul dense', () => be.binary('mul', A, B, [n], float32)],
  ['mul bcast', () => be.binary('mul', A, S, [n], float32)],
  ['exp', () => be.unary('exp', A, [n], float32)],
  ['tanh', () => be.unary('tanh', A, [n], float32)],
  ['copy', () => be.unary('copy', A, [n], float32)],
  ['sum', () => be.reduce('sum', A, [n], [0], float32)],
];
for (const [name, f] of cases) {
  let best = 1e9;
  for (let i = 0; i < 30; i++) { const t = performance.now(); const o = f(); best = Math.min(best, performance.now() - t); be.release(o); }
  console.log(name.padEnd(10), best.toFixed(3), 'ms', (n / best / 1e6).toFixed(2), 'Gelem/s');
}
