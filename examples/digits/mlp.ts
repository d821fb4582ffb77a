/**
 * @file Handwritten digits with a multilayer perceptron: 64 pixels -> 128 ReLU units -> 10 classes, Adam, 20
 * epochs, about 97% test accuracy (examples/digits/reference.py gets the same from PyTorch). Writes
 * out/digits-mlp.png (loss and accuracy curves) and out/digits-mlp.safetensors (the trained weights).
 * Run: npx tsx examples/digits/mlp.ts
 */
import { pathToFileURL } from 'node:url';
import * as torch from '../../src/index.js';
import { type RunOptions, type RunResult, train } from './digits.js';

const { nn } = torch;

/** Builds the MLP (PyTorch's initial weights for seed 0) and trains it. */
export async function main(opts: RunOptions = {}): Promise<RunResult> {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 10));
  if (!opts.quiet) console.log(String(model));
  return train('mlp', model, [64], { epochs: 20, ...opts });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
