/**
 * @file tsgrad's side of the benchmark: W1-W6 and the wasm SIMD multiply-add ceiling, printed as JSON results.
 * Run as a child of bench/run.ts: `TSGRAD_CPU=ts` selects the plain TypeScript backend, BENCH_THREADS the threads.
 */

import { regressionProgram } from '../examples/tutorial-programs.js';
import { getBackend } from '../src/backend/devices.js';
import { setNumThreads, threadsReady } from '../src/backend/threads/api.js';
import type { WasmBackend } from '../src/backend/wasm/wasm.js';
import * as torch from '../src/index.js';
import { medianMs, type Result, seeded, W2_SIZES } from './harness.js';
import { cnnStep } from './w6.js';

const threads = Number(process.env.BENCH_THREADS ?? 1);
const plain = process.env.TSGRAD_CPU === 'ts';
const only = process.env.BENCH_ONLY?.split(',');
const results: Result[] = [];
/** Training steps are timed in steady state: every library runs this many untimed steps first (allocators, JITs). */
const STEADY = 20;
const want = (id: string): boolean => !only || only.includes(id);
const t = (data: Float32Array, shape: number[], requiresGrad = false) =>
  torch.tensor(data, { requiresGrad }).reshape(shape).detach().requiresGrad_(requiresGrad);

setNumThreads(threads);
await threadsReady();
const wasm = getBackend('cpu') as Partial<WasmBackend>;

// ceiling: the multiply-add loop on every thread at once
if (!plain && typeof wasm.call === 'function' && want('ceiling')) {
  const iters = 4e6;
  const be = wasm as WasmBackend;
  const fn = (be as unknown as { index: Map<string, number> }).index.get('peak')!;
  const run = (): void =>
    (be as unknown as { run(g: { fn: number; args: number[] }[][]): void }).run(
      Array.from({ length: threads }, () => [{ fn, args: [iters] }]),
    );
  const ms = await medianMs(run, { warmup: 3, reps: 9 });
  results.push({
    id: 'ceiling',
    case: 'mul+add loop',
    value: (threads * iters * 12 * 8) / ms / 1e6,
    unit: 'GFLOP/s',
    higherIsBetter: true,
  });
}

// W1: the autograd tutorial's loop, exactly as the student writes it (examples/tutorial-programs.ts)
if (want('W1')) {
  const ms = await medianMs(() => void regressionProgram(() => {}), { warmup: 1, reps: 5, minMs: 0 });
  results.push({ id: 'W1', case: '800 steps', value: ms, unit: 'ms', higherIsBetter: false });
}

// W2: square float32 matmul
if (want('W2'))
  for (const n of W2_SIZES) {
    if (plain && n > 512) continue;
    const a = t(seeded(n * n, 4), [n, n]);
    const b = t(seeded(n * n, 5), [n, n]);
    const ms = await medianMs(() => torch.matmul(a, b), {
      warmup: 2,
      reps: n >= 1024 ? 5 : 9,
      minMs: n >= 1024 ? 0 : 300,
    });
    results.push({
      id: 'W2',
      case: `n=${n}`,
      value: (2 * n ** 3) / ms / 1e6,
      unit: 'GFLOP/s',
      higherIsBetter: true,
    });
  }

// W3: MLP 784-512-512-10, ReLU, cross-entropy, batch 128, one SGD step
if (want('W3')) {
  torch.manualSeed(0);
  const layers = [
    new torch.nn.Linear(784, 512),
    new torch.nn.ReLU(),
    new torch.nn.Linear(512, 512),
    new torch.nn.ReLU(),
    new torch.nn.Linear(512, 10),
  ];
  const model = new torch.nn.Sequential(...(layers as unknown as torch.nn.Module[]));
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
  const x = t(seeded(128 * 784, 6), [128, 784]);
  const y = torch.tensor(
    Int32Array.from({ length: 128 }, (_, i) => (i * 7) % 10),
    { dtype: torch.int32 },
  );
  const ms = await medianMs(
    () => {
      opt.zeroGrad();
      const loss = torch.nn.functional.crossEntropy(model.forward(x) as torch.Tensor, y);
      loss.backward();
      opt.step();
    },
    { warmup: plain ? 3 : STEADY, reps: plain ? 3 : 15, minMs: plain ? 0 : 500 },
  );
  results.push({ id: 'W3', case: 'MLP step', value: ms, unit: 'ms', higherIsBetter: false });
}

// W4: z = sum(tanh(a*b + c) * exp(a)) on 10^6 floats, forward + backward
if (want('W4')) {
  const n = 1e6;
  const a = t(seeded(n, 7), [n], true);
  const b = t(seeded(n, 8), [n], true);
  const c = t(seeded(n, 9), [n], true);
  const ms = await medianMs(
    () => {
      a.grad = null;
      b.grad = null;
      c.grad = null;
      torch.tanh(a.mul(b).add(c)).mul(torch.exp(a)).sum().backward();
    },
    { warmup: plain ? 3 : STEADY, reps: plain ? 3 : 15, minMs: plain ? 0 : 500 },
  );
  results.push({
    id: 'W4',
    case: '10^6 fwd+bwd',
    value: ms,
    unit: 'ms',
    higherIsBetter: false,
    extra: `${(24e6 / ms / 1e6).toFixed(1)} GB/s`,
  });
}

// W5: 10,000 chained one-element adds with backward
if (want('W5')) {
  const ms = await medianMs(
    () => {
      const x = torch.tensor([1], { requiresGrad: true });
      let y = x;
      for (let i = 0; i < 10000; i++) y = y.add(x);
      y.sum().backward();
    },
    { warmup: 2, reps: 7 },
  );
  results.push({
    id: 'W5',
    case: 'per op',
    value: (ms * 1e6) / 10000 / 1000,
    unit: 'µs/op',
    higherIsBetter: false,
  });
}

// W6: a small CNN training step (bench/w6.ts)
if (want('W6')) {
  try {
    const step = cnnStep();
    const ms = await medianMs(step, {
      warmup: plain ? 2 : STEADY,
      reps: plain ? 3 : 15,
      minMs: plain ? 0 : 500,
    });
    results.push({ id: 'W6', case: 'CNN step', value: ms, unit: 'ms', higherIsBetter: false });
  } catch (e) {
    process.stderr.write(`W6 failed: ${String(e)}\n`);
  }
}

// cold start is measured by the runner (a fresh process: import + first matmul)
process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
