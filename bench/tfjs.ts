/**
 * @file TensorFlow.js's side of the benchmark (cpu or wasm backend; BENCH_THREADS for wasm), printed as JSON results.
 * W6 is not run: the wasm backend cannot train a CNN (no Conv2DBackpropFilter).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import { medianMs, type Result, seeded, W2_SIZES } from './harness.js';

// the CommonJS bundles: they register every kernel and gradient (the ESM build's directory imports fail in Node)
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs') as typeof TF; // the umbrella bundle registers the gradients
require('@tensorflow/tfjs-backend-cpu');
const { setThreadsCount, setWasmPaths } = require('@tensorflow/tfjs-backend-wasm') as {
  setThreadsCount(n: number): void;
  setWasmPaths(p: string): void;
};
const backend = process.env.BENCH_TFJS ?? 'cpu';
const threads = Number(process.env.BENCH_THREADS ?? 1);
const results: Result[] = [];
/** Training steps are timed in steady state: every library runs this many untimed steps first (allocators, JITs). */
const STEADY = 20;
if (backend === 'wasm') {
  const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  setWasmPaths(`${dir}/dist/`);
  setThreadsCount(threads);
}
await tf.setBackend(backend);
await tf.ready();
process.stderr.write(`tfjs backend: ${tf.getBackend()}\n`);

// W1: the autograd tutorial's loop (800 steps of gradient descent on w, b), written the TensorFlow.js way
{
  const ms = await medianMs(
    () => {
      const x = tf.reshape(tf.linspace(-1, 1, 100), [100, 1]);
      const y = tf.add(tf.add(tf.mul(tf.square(x), 3), 2), tf.mul(tf.randomUniform([100, 1]), 0.2));
      const w = tf.variable(tf.randomNormal([1, 1]));
      const b = tf.variable(tf.zeros([1, 1]));
      for (let i = 0; i < 800; i++)
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () =>
              tf.sum(
                tf.square(tf.sub(y, tf.add(tf.matMul(tf.square(x) as TF.Tensor2D, w as TF.Tensor2D), b))),
              ) as TF.Scalar,
            [w, b],
          );
          w.assign(tf.sub(w, tf.mul(grads[w.name]!, 0.001)));
          b.assign(tf.sub(b, tf.mul(grads[b.name]!, 0.001)));
          value.dataSync();
        });
      tf.dispose([x, y, w, b]);
    },
    { warmup: 1, reps: 5, minMs: 0 },
  );
  results.push({ id: 'W1', case: '800 steps', value: ms, unit: 'ms', higherIsBetter: false });
}

for (const n of W2_SIZES) {
  if (backend === 'cpu' && n > 512) continue;
  const a = tf.tensor2d(seeded(n * n, 4), [n, n]);
  const b = tf.tensor2d(seeded(n * n, 5), [n, n]);
  // tidy must return nothing: returning the Float32Array makes tidy walk a million entries looking for tensors
  const ms = await medianMs(() => tf.tidy(() => void tf.matMul(a, b).dataSync()), {
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

{
  const init = (r: number, c: number, seed: number) =>
    tf.variable(tf.tensor2d(seeded(r * c, seed, Math.sqrt(1 / r)), [r, c]));
  const w1 = init(784, 512, 11);
  const b1 = tf.variable(tf.zeros([512]));
  const w2 = init(512, 512, 12);
  const b2 = tf.variable(tf.zeros([512]));
  const w3 = init(512, 10, 13);
  const b3 = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.01);
  const x = tf.tensor2d(seeded(128 * 784, 6), [128, 784]);
  const y = tf.oneHot(
    tf.tensor1d(
      Int32Array.from({ length: 128 }, (_, i) => (i * 7) % 10),
      'int32',
    ),
    10,
  );
  const ms = await medianMs(
    () => {
      const loss = opt.minimize(() => {
        const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
        const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h2, w3), b3)) as TF.Scalar;
      }, true);
      loss?.dataSync();
      loss?.dispose();
    },
    { warmup: backend === 'cpu' ? 2 : STEADY, reps: backend === 'cpu' ? 3 : 7, minMs: 0 },
  );
  results.push({ id: 'W3', case: 'MLP step', value: ms, unit: 'ms', higherIsBetter: false });
}

{
  const n = 1e6;
  const a = tf.tensor1d(seeded(n, 7));
  const b = tf.tensor1d(seeded(n, 8));
  const c = tf.tensor1d(seeded(n, 9));
  const f = (p: TF.Tensor, q: TF.Tensor, r: TF.Tensor) =>
    tf.sum(tf.mul(tf.tanh(tf.add(tf.mul(p, q), r)), tf.exp(p)));
  const g = tf.grads(f as (...args: TF.Tensor[]) => TF.Tensor);
  const ms = await medianMs(
    () =>
      tf.tidy(() => {
        for (const t of g([a, b, c])) t.dataSync();
      }),
    { warmup: backend === 'cpu' ? 2 : STEADY, reps: 9 },
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

{
  const x = tf.tensor1d([1]);
  const f = (v: TF.Tensor) => {
    let y = v;
    for (let i = 0; i < 10000; i++) y = tf.add(y, v);
    return tf.sum(y);
  };
  const g = tf.grad(f);
  const ms = await medianMs(() => tf.tidy(() => void g(x).dataSync()), { warmup: 2, reps: 5 });
  results.push({
    id: 'W5',
    case: 'per op',
    value: (ms * 1e6) / 10000 / 1000,
    unit: 'µs/op',
    higherIsBetter: false,
  });
}

process.stdout.write(`${JSON.stringify(results)}\n`);
process.exit(0);
