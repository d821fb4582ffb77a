/**
 * @file sort / argsort / topk against values recorded from PyTorch 1.13 (scripts of record in the comments),
 * gradients, and gradcheck.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';

// x = torch.tensor([[3., 1., nan, 2., 1.], [0., -1., 5., 5., 2.]], requires_grad=True)
const data = [
  [3, 1, Number.NaN, 2, 1],
  [0, -1, 5, 5, 2],
];

describe('sort / argsort / topk', () => {
  it('sorts descending with NaN largest and stable ties, as PyTorch', () => {
    const x = torch.tensor(data, { requiresGrad: true });
    const { values, indices } = x.sort(1, { descending: true });
    expect(values.tolist()).toEqual([
      [Number.NaN, 3, 2, 1, 1],
      [5, 5, 2, 0, -1],
    ]);
    expect(indices.tolist()).toEqual([
      [2, 0, 3, 1, 4],
      [2, 3, 4, 0, 1],
    ]);
    expect(indices.dtype).toBe(torch.int32);
    expect(values.gradFn?.name).toBe('SortBackward0');
    // torch.autograd.grad(v, x, torch.arange(10.).view(2, 5))
    const [g] = torch.autograd.grad(values, x, { gradOutputs: torch.arange(10).view(2, 5) });
    expect(g!.tolist()).toEqual([
      [1, 3, 0, 2, 4],
      [8, 9, 5, 6, 7],
    ]);
    expect(torch.argsort(x, 1, { descending: true }).tolist()).toEqual(indices.tolist());
  });

  it('topk takes the k largest (or smallest) and routes gradients back', () => {
    const x = torch.tensor(
      [
        [9, 1, 0, 2, 1],
        [0, -1, 5, 4, 2],
      ],
      { requiresGrad: true },
    );
    const { values, indices } = torch.topk(x, 2, 1);
    expect(values.tolist()).toEqual([
      [9, 2],
      [5, 4],
    ]);
    expect(indices.tolist()).toEqual([
      [0, 3],
      [2, 3],
    ]);
    expect(values.gradFn?.name).toBe('TopkBackward0');
    const [g] = torch.autograd.grad(values, x, { gradOutputs: torch.ones(2, 2) });
    expect(g!.tolist()).toEqual([
      [1, 0, 0, 1, 0],
      [0, 0, 1, 1, 0],
    ]);
    expect(x.topk(1, 0, { largest: false }).values.tolist()).toEqual([[0, -1, 0, 2, 1]]);
  });

  it('refuses a k beyond the dim size and leaves the input unchanged', () => {
    const x = torch.tensor([1, 2, 3]);
    expect(() => x.topk(4)).toThrow(/k out of range: k = 4 but dimension 0 has size 3/);
    expect(x.tolist()).toEqual([1, 2, 3]);
  });

  it('passes gradcheck', () => {
    const x = torch.randn(3, 4, { dtype: torch.float64, requiresGrad: true });
    expect(torch.autograd.gradcheck((a) => a.sort(1).values, [x])).toBe(true);
    expect(torch.autograd.gradcheck((a) => a.topk(2, 0).values, [x])).toBe(true);
  });
});
