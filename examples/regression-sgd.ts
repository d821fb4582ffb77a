/**
 * @file The tutorial's regression (fit y = 3x² + 2 + noise with y_pred = x²·w + b) with the update done by
 * `optim.SGD` instead of by hand: plain tensors as parameters, no nn.Linear. Prints the loss as it falls and writes
 * out/regression-sgd.png (data and fitted curve). Run: npx tsx examples/regression-sgd.ts
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as torch from '../src/index.js';
import * as plt from '../src/plot/index.js';

/** Options of a run (the example's test shortens it). */
export interface RegressionOptions {
  steps?: number;
  outDir?: string;
  quiet?: boolean;
}

/** Fits w and b with SGD; returns them and the loss of every step. */
export async function main(
  opts: RegressionOptions = {},
): Promise<{ w: number; b: number; losses: number[]; plotPath: string }> {
  const steps = opts.steps ?? 800;
  const log = opts.quiet ? () => {} : console.log;
  torch.manualSeed(100);
  const x = torch.linspace(-1, 1, 100).unsqueeze(1);
  const y = x.pow(2).mul(3).add(2).add(torch.rand(x.size()).mul(0.2));
  const w = torch.randn(1, 1, { requiresGrad: true });
  const b = torch.zeros(1, 1, { requiresGrad: true });
  const optimizer = new torch.optim.SGD([w, b], { lr: 0.001 });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const yPred = x.pow(2).mm(w).add(b);
    const loss = y.sub(yPred).pow(2).sum();
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
    if (i % 100 === 0 || i === steps - 1) log(i, String(loss));
  }
  log('w =', String(w), '\nb =', String(b));

  const prediction = torch.noGrad(() => x.pow(2).mm(w).add(b));
  plt.figure();
  plt.scatter(x, y, { color: 'b', label: 'data', s: 12 });
  plt.plot(x, prediction, 'r-', {
    label: `fit: ${w.item().toFixed(2)}·x² + ${b.item().toFixed(2)}`,
    linewidth: 2,
  });
  plt.legend();
  plt.title('y = 3x² + 2, fitted with optim.SGD');
  const plotPath = await plt.savefig(join(opts.outDir ?? 'out', 'regression-sgd.png'));
  plt.close();
  log(`plot: ${plotPath}`);
  return { w: w.item(), b: b.item(), losses, plotPath };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
