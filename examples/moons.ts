/**
 * @file A two-moons classifier: 200 noisy points on two interleaved half circles (scikit-learn's make_moons),
 * an MLP 2 -> 16 -> 16 -> 1 trained with Adam on binary cross entropy, and a plot of its decision boundary
 * (out/moons.png). Run: npx tsx examples/moons.ts
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as torch from '../src/index.js';
import * as plt from '../src/plot/index.js';

const { nn, optim } = torch;

/** Two interleaving half circles with Gaussian noise, as sklearn.datasets.make_moons: x [n, 2], y [n] in {0, 1}. */
export function makeMoons(n: number, noise: number): { x: torch.Tensor; y: torch.Tensor } {
  const half = Math.floor(n / 2);
  const tOut = torch.linspace(0, Math.PI, n - half);
  const tIn = torch.linspace(0, Math.PI, half);
  const outer = torch.stack([tOut.cos(), tOut.sin()], 1);
  const inner = torch.stack([tIn.cos().neg().add(1), tIn.sin().neg().add(0.5)], 1);
  const x = torch.cat([outer, inner]).add(torch.randn(n, 2).mul(noise));
  const y = torch.cat([torch.zeros(n - half), torch.ones(half)]);
  return { x, y };
}

/** Options of a run (the example's test shortens it). */
export interface MoonsOptions {
  steps?: number;
  outDir?: string;
  quiet?: boolean;
}

/** Trains the classifier and plots its decision boundary; returns the loss and accuracy curves. */
export async function main(
  opts: MoonsOptions = {},
): Promise<{ losses: number[]; accuracies: number[]; plotPath: string }> {
  const steps = opts.steps ?? 300;
  torch.manualSeed(0);
  const { x, y } = makeMoons(200, 0.1);
  const model = new nn.Sequential(
    new nn.Linear(2, 16),
    new nn.Tanh(),
    new nn.Linear(16, 16),
    new nn.Tanh(),
    new nn.Linear(16, 1),
  );
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
  const lossFn = new nn.BCEWithLogitsLoss();
  const losses: number[] = [];
  const accuracies: number[] = [];
  for (const step of plt.trange(steps, { desc: 'moons', disable: opts.quiet ?? false })) {
    optimizer.zeroGrad();
    const logits = (model(x) as torch.Tensor).squeeze(1);
    const loss = lossFn(logits, y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
    accuracies.push(logits.gt(0).float().eq(y).float().mean().item());
    if (!opts.quiet && step % 100 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(4)}`);
  }

  // the decision boundary: the model's probability over a grid, under the data
  const n = 120;
  const [x0, x1, y0, y1] = [-1.6, 2.6, -1.1, 1.6];
  const gx = torch.linspace(x0, x1, n);
  const gy = torch.linspace(y1, y0, n); // image rows go top to bottom
  const grid = torch.stack([gx.reshape(1, n).expand(n, n), gy.reshape(n, 1).expand(n, n)], 2).reshape(-1, 2);
  const prob = torch.noGrad(() => (model(grid) as torch.Tensor).sigmoid().reshape(n, n));
  plt.figure({ figsize: [7, 5] });
  plt.imshow(prob, { extent: [x0, x1, y0, y1], cmap: 'RdBu', vmin: 0, vmax: 1, aspect: 'auto', alpha: 0.6 });
  plt.colorbar({ label: 'P(class 1)' });
  const cls = (k: number) =>
    torch.noGrad(() => x.indexSelect(0, torch.tensor(idxWhere(y, k), { dtype: torch.int32 })));
  plt.scatter(cls(0).select(1, 0), cls(0).select(1, 1), { color: '#b2182b', label: 'class 0', s: 16 });
  plt.scatter(cls(1).select(1, 0), cls(1).select(1, 1), { color: '#2166ac', label: 'class 1', s: 16 });
  plt.title(`Two moons: accuracy ${(accuracies.at(-1)! * 100).toFixed(1)}% after ${steps} steps`);
  plt.legend();
  const plotPath = await plt.savefig(join(opts.outDir ?? 'out', 'moons.png'));
  plt.close();
  if (!opts.quiet)
    console.log(
      `final loss ${losses.at(-1)!.toFixed(4)}, accuracy ${(accuracies.at(-1)! * 100).toFixed(1)}%\nplot: ${plotPath}`,
    );
  return { losses, accuracies, plotPath };
}

function idxWhere(y: torch.Tensor, k: number): number[] {
  return Array.from(y.toArray()).flatMap((v, i) => (v === k ? [i] : []));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
