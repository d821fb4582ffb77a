/**
 * @file activation ops against PyTorch 1.13 (test/fixtures/ops.json from scripts/fixtures/ops.py): values, dtypes,
 * shapes, views, grad_fn names, input gradients, printing and errors, through the shared helper in test/helpers/ops.ts.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import { caseName, loadOpCases, runCase, runErrorCase } from '../helpers/ops.js';

const cases = loadOpCases('activation');

describe('activation ops match PyTorch', () => {
  for (const [i, c] of cases.entries()) {
    if (c.error) test(`${caseName(c, i)} throws`, () => runErrorCase(c));
    else test(caseName(c, i), () => runCase(c));
  }
});

describe('fused activation gradients', () => {
  // PyTorch 1.13: torch.autograd.grad(f(x).sum(), x, create_graph=True)[0].grad_fn and its next_functions
  const cases: [string, (x: torch.Tensor) => torch.Tensor, string, string, (v: number) => number][] = [
    ['tanh', torch.tanh, 'TanhBackwardBackward0', 'TanhBackward0', (v) => 1 - Math.tanh(v) ** 2],
    [
      'sigmoid',
      torch.sigmoid,
      'SigmoidBackwardBackward0',
      'SigmoidBackward0',
      (v) => (1 / (1 + Math.exp(-v))) * (1 - 1 / (1 + Math.exp(-v))),
    ],
    ['relu', torch.relu, 'ThresholdBackwardBackward0', 'ReluBackward0', (v) => (v > 0 ? 1 : 0)],
  ];
  test.each(cases)('%s: one kernel, PyTorch node names under createGraph', (_n, f, name, next, d) => {
    const x = torch.tensor([0.5, -0.3, 2, 0], { requiresGrad: true, dtype: torch.float64 });
    const [g] = torch.autograd.grad([f(x).sum()], [x], { createGraph: true });
    expect(g!.gradFn!.name).toBe(name);
    expect(g!.gradFn!.nextFunctions.map(([n]) => n?.name ?? null)).toEqual([null, next]);
    const xs = [0.5, -0.3, 2, 0];
    (g!.tolist() as number[]).forEach((v, i) => {
      expect(v).toBeCloseTo(d(xs[i]!), 12);
    });
  });
});

describe('softmax over the last dim (one fused kernel) = softmax over another dim (composed ops)', () => {
  test.each([
    ['softmax', torch.softmax],
    ['logSoftmax', torch.logSoftmax],
  ] as const)('%s, bit for bit on the reference kernels, NaN and -inf rows included', (_name, f) => {
    torch.manualSeed(3);
    const x = torch.randn(6, 40).mul(10);
    const rows = x.tolist() as number[][];
    rows[1]![5] = Number.NaN;
    rows[2] = rows[2]!.map(() => Number.NEGATIVE_INFINITY);
    rows[3]![0] = Number.NEGATIVE_INFINITY;
    const y = torch.tensor(rows);
    const fused = f(y, 1).tolist();
    const composed = f(y.t().contiguous(), 0).t().tolist();
    expect(fused).toEqual(composed);
    expect((fused as number[][])[1]!.every(Number.isNaN)).toBe(true);
  });
});
