/**
 * @file Shared by the digits examples: the 1797 8×8 handwritten digits that ship in this folder (scikit-learn's
 * copy of the UCI test set, digits.csv.gz), the same train/test split as reference.py, and a training loop with a
 * progress bar, a loss/accuracy plot and a saved model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as torch from '../../src/index.js';
import * as plt from '../../src/plot/index.js';

const { nn, optim } = torch;
const { DataLoader, TensorDataset, randomSplit } = torch.utils.data;

/** Images [1797, 64] scaled to [0, 1] and labels [1797] (int32). */
export function loadDigits(): { x: torch.Tensor; y: torch.Tensor } {
  const csv = gunzipSync(readFileSync(new URL('digits.csv.gz', import.meta.url))).toString('utf8');
  const rows = csv
    .trim()
    .split('\n')
    .map((line) => line.split(',').map(Number));
  const x = torch.tensor(rows.map((r) => r.slice(0, 64))).div(16);
  const y = torch.tensor(
    rows.map((r) => r[64]!),
    { dtype: torch.int32 },
  );
  return { x, y };
}

/** Options of a training run (the examples' tests shorten it). */
export interface RunOptions {
  epochs?: number;
  outDir?: string;
  quiet?: boolean;
}

/** What a run returns: per-epoch mean training loss and test accuracy. */
export interface RunResult {
  losses: number[];
  accuracies: number[];
  modelPath: string;
  plotPath: string;
}

/**
 * Trains `model` on 1437 digits with Adam and mini-batches of 32, evaluates on the other 360 after every epoch,
 * then plots the curves and saves the weights (safetensors, loadable with PyTorch).
 */
export async function train(
  name: string,
  model: torch.nn.Module,
  shape: number[],
  opts: RunOptions,
): Promise<RunResult> {
  const epochs = opts.epochs ?? 20;
  const outDir = opts.outDir ?? 'out';
  const { x: flat, y } = loadDigits();
  const x = flat.reshape(-1, ...shape);
  const [trainSet, testSet] = randomSplit(
    new TensorDataset(x, y),
    [1437, 360],
    new torch.Generator().manualSeed(0),
  );
  const loader = new DataLoader(trainSet!, {
    batchSize: 32,
    shuffle: true,
    generator: new torch.Generator().manualSeed(1),
  });
  const testIdx = torch.tensor([...testSet!.indices], { dtype: torch.int32 });
  const [xTest, yTest] = [x.indexSelect(0, testIdx), y.indexSelect(0, testIdx)];
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const losses: number[] = [];
  const accuracies: number[] = [];
  const bar = plt.trange(epochs, { desc: name, disable: opts.quiet ?? false });
  for (const _epoch of bar) {
    model.train();
    let total = 0;
    for (const [xb, yb] of loader as Iterable<torch.Tensor[]>) {
      optimizer.zeroGrad();
      const loss = nn.functional.crossEntropy(model(xb!) as torch.Tensor, yb!);
      loss.backward();
      optimizer.step();
      total += loss.item();
    }
    model.eval();
    const accuracy = torch.noGrad(() =>
      (model(xTest) as torch.Tensor).argmax(1).eq(yTest).float().mean().item(),
    );
    losses.push(total / loader.length);
    accuracies.push(accuracy);
    bar.setPostfix({ loss: losses.at(-1)!, acc: accuracy });
  }

  const epochAxis = losses.map((_, i) => i + 1);
  const [fig, [ax1, ax2]] = plt.subplots(1, 2, { figsize: [10, 4] });
  ax1!.plot(epochAxis, losses, { label: 'train loss' });
  ax1!.setYscale('log');
  ax1!.setXlabel('epoch');
  ax1!.setTitle(`${name}: training loss`);
  ax2!.plot(
    epochAxis,
    accuracies.map((a) => a * 100),
    { color: 'C1', label: 'test accuracy' },
  );
  ax2!.setXlabel('epoch');
  ax2!.setYlabel('%');
  ax2!.setTitle(`${name}: test accuracy ${(accuracies.at(-1)! * 100).toFixed(1)}%`);
  const plotPath = await fig.savefig(join(outDir, `digits-${name}.png`));
  plt.close(fig);
  const modelPath = join(outDir, `digits-${name}.safetensors`);
  await torch.save(model.stateDict(), modelPath);
  if (!opts.quiet) {
    console.log(`${name}: test accuracy ${(accuracies.at(-1)! * 100).toFixed(2)}% after ${epochs} epochs`);
    console.log(`plot: ${plotPath}\nmodel: ${modelPath}`);
  }
  return { losses, accuracies, modelPath, plotPath };
}
