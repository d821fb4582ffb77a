/**
 * @file Watching training: a tqdm-style progress bar over epochs and a live loss curve that redraws one PNG in
 * place (open training.png in an image viewer and watch it update), for a small linear fit by gradient descent.
 * Run: `npx tsx examples/plot/training.ts`. With tsgrad tensors, pass `loss` itself: `live.update({ loss })`.
 */
import { fileURLToPath } from 'node:url';
import * as plt from '../../src/plot/index.js';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

// Data: y = 3x - 1 plus noise; model: y = w x + b, trained with plain SGD on the mean squared error.
let seed = 3;
const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const xs = Float64Array.from({ length: 64 }, () => uniform() * 2 - 1);
const ys = xs.map((x) => 3 * x - 1 + (uniform() - 0.5) * 0.6);
const split = 48;
let w = 0;
let b = 0;
const mse = (from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += (w * (xs[i] as number) + b - (ys[i] as number)) ** 2;
  return s / (to - from);
};

const live = new plt.LivePlot({
  path: here('training.png'),
  title: 'Linear fit',
  xlabel: 'epoch',
  ylabel: 'MSE',
  logy: true,
});
const bar = plt.trange(60, { desc: 'epochs' });
for (const epoch of bar) {
  let gw = 0;
  let gb = 0;
  for (let i = 0; i < split; i++) {
    const err = w * (xs[i] as number) + b - (ys[i] as number);
    gw += (2 * err * (xs[i] as number)) / split;
    gb += (2 * err) / split;
  }
  w -= 0.1 * gw;
  b -= 0.1 * gb;
  const train = mse(0, split);
  const val = mse(split, xs.length);
  bar.setPostfix({ train, val });
  await live.update({ train, val }, epoch);
  await new Promise((done) => setTimeout(done, 20)); // slow down, so the bar and the picture can be watched
}
await live.close();
console.log(`w = ${w.toFixed(3)}, b = ${b.toFixed(3)} (true values: 3, -1)`);
