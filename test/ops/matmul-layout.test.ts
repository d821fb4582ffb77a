/**
 * @file Gradients of 2-D products with column-major (transposed) operands: mm and nn.Linear's addmm compute them
 * as PyTorch does, through (gᵀ·a)ᵀ / (b·gᵀ)ᵀ so they keep the operand's layout; the values must equal the plain
 * formulas gᵀ·... computed from contiguous copies.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';

const close = (got: torch.Tensor, want: torch.Tensor): void => {
  expect(got.shape).toEqual(want.shape);
  const g = got.contiguous().toArray();
  const w = want.contiguous().toArray();
  for (const [i, v] of w.entries()) expect(g[i]).toBeCloseTo(v as number, 4);
};

describe('matmul gradients keep column-major operands column-major', () => {
  test('mm with a and b both transposed views', () => {
    torch.manualSeed(1);
    const a0 = torch.randn([9, 6]).requiresGrad_(); // a = a0ᵀ: [6, 9], column-major
    const b0 = torch.randn([7, 9]).requiresGrad_(); // b = b0ᵀ: [9, 7], column-major
    const g = torch.randn([6, 7]);
    torch.mm(a0.t(), b0.t()).backward(g);
    // d/da = g·bᵀ = g·b0, d/db = aᵀ·g = a0·g; a0.grad and b0.grad are their transposes
    close(a0.grad!, torch.mm(g, b0).t());
    close(b0.grad!, torch.mm(a0, g).t());
    expect(a0.grad!.isContiguous()).toBe(true);
    expect(b0.grad!.isContiguous()).toBe(true);
  });

  test("nn.Linear's weight gradient (x·Wᵀ + b)", () => {
    torch.manualSeed(2);
    const lin = new torch.nn.Linear(13, 5);
    const x = torch.randn([11, 13]).requiresGrad_();
    const g = torch.randn([11, 5]);
    (lin.forward(x) as torch.Tensor).backward(g);
    close(lin.weight.grad!, torch.mm(g.t().contiguous(), x.detach()));
    close(x.grad!, torch.mm(g, lin.weight.detach()));
  });

  test('only the column-major operand needs a gradient', () => {
    torch.manualSeed(3);
    const w = torch.randn([4, 8]).requiresGrad_();
    const x = torch.randn([3, 8]);
    const g = torch.randn([3, 4]);
    torch.mm(x, w.t()).backward(g);
    close(w.grad!, torch.mm(g.t().contiguous(), x));
  });
});
