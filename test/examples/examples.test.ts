/**
 * @file The training examples run for real with fewer steps: the loss falls, the accuracy rises, and the plots
 * and saved models are written (and the models load back).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main as cnn } from '../../examples/digits/cnn.js';
import { loadDigits } from '../../examples/digits/digits.js';
import { main as mlp } from '../../examples/digits/mlp.js';
import { main as moons } from '../../examples/moons.js';
import { main as regression } from '../../examples/regression-sgd.js';
import * as torch from '../../src/index.js';

const outDir = mkdtempSync(join(tmpdir(), 'tsgrad-examples-'));

describe('examples train', () => {
  test('regression with optim.SGD fits y = 3x² + 2', async () => {
    const r = await regression({ steps: 300, outDir, quiet: true });
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! / 10);
    expect(r.w).toBeGreaterThan(2.5);
    expect(r.b).toBeGreaterThan(1.8);
    expect(r.plotPath).toMatch(/regression-sgd\.png$/);
  });

  test('two moons: loss falls and the boundary separates the classes', async () => {
    const r = await moons({ steps: 80, outDir, quiet: true });
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]! / 2);
    expect(r.accuracies.at(-1)!).toBeGreaterThan(0.85);
  });

  test('the digits data ship with the repository', () => {
    const { x, y } = loadDigits();
    expect(x.shape).toEqual([1797, 64]);
    expect(x.max().item()).toBe(1);
    expect(Array.from(y.toArray()).filter((v) => v === 7)).toHaveLength(179);
  });

  test('digits MLP: accuracy rises past 90% in 3 epochs and the model reloads', async () => {
    const r = await mlp({ epochs: 3, outDir, quiet: true });
    expect(r.losses[2]!).toBeLessThan(r.losses[0]!);
    expect(r.accuracies[2]!).toBeGreaterThan(0.9);
    const sd = await torch.load(r.modelPath);
    expect(Object.keys(sd).sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
  });

  test('digits CNN: loss falls and accuracy rises in 2 epochs', async () => {
    const r = await cnn({ epochs: 2, outDir, quiet: true });
    expect(r.losses[1]!).toBeLessThan(r.losses[0]!);
    expect(r.accuracies[1]!).toBeGreaterThan(r.accuracies[0]!);
    expect(r.accuracies[1]!).toBeGreaterThan(0.85);
  });
});
