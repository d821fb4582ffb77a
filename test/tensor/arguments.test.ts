/**
 * @file Misuse is refused with an Error that says what happened and how to fix it, naming shapes, dims and nodes,
 * and leaves the tensors unchanged (the foundation issue's error contract), across creation, ops and autograd.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';

const x = () => torch.tensor([1, 2, 3]);

describe('bad arguments are refused with a clear message', () => {
  test.each([
    ['NaN size', () => torch.zeros(Number.NaN), /argument 'size' must be a list of integers.*NaN/],
    ['negative size', () => torch.ones(2, -1), /negative dimension -1/],
    ['fractional size', () => torch.empty(2.5), /must be a list of integers/],
    ['string size', () => torch.zeros('3' as never), /must be a list of integers.*string/],
    [
      'dim out of range',
      () => x().sum(5),
      /Dimension out of range \(expected to be in range of \[-1, 0\], but got 5\)/,
    ],
    ['negative dim out of range', () => x().unsqueeze(-3), /Dimension out of range.*got -3/],
    ['fractional dim', () => x().sum(0.5), /dim must be an integer/],
    [
      'broadcast mismatch',
      () => x().add(torch.ones(4)),
      /size of tensor a \(3\) must match the size of tensor b \(4\)/,
    ],
    ['view of wrong size', () => x().view(2), /shape '\[2\]' is invalid for input of size 3/],
    [
      'matmul shapes',
      () => torch.ones(2, 3).matmul(torch.ones(2, 3)),
      /cannot be multiplied \(2x3 and 2x3\)/,
    ],
    ['operand type', () => x().mul('2' as never), /must be a Tensor or a number, but got the string '2'/],
    ['operand null', () => x().add(null as never), /must be a Tensor or a number, but got null/],
    ['select index', () => x().select(0, 3), /index 3 out of range/],
    ['requiresGrad on int', () => torch.ones(2, { dtype: torch.int32 }).requiresGrad_(), /floating point/],
    [
      'backward options',
      () =>
        x()
          .sum()
          .backward(null, { retain_graph: true } as never),
      /did you mean 'retainGraph'/,
    ],
    [
      'backward inputs',
      () =>
        x()
          .requiresGrad_()
          .sum()
          .backward(null, { inputs: 3 as never }),
      /'inputs' must be a Tensor or an array/,
    ],
  ])('%s', (_name, f, re) => {
    expect(f).toThrow(re);
  });

  test('a tensor given as backward inputs works like an array of one', () => {
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = torch.tensor([3, 4], { requiresGrad: true });
    a.mul(b).sum().backward(null, { inputs: a });
    expect(a.grad!.tolist()).toEqual([3, 4]);
    expect(b.grad).toBeNull();
  });

  test('a refused op changes nothing', () => {
    const t = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = t.mul(2);
    const snapshot = () => [y.tolist(), y.version, y.gradFn, t.grad];
    const before = snapshot();
    expect(() => y.add_(torch.ones(2))).toThrow(/size of tensor/);
    expect(() => y.copy_(torch.ones(4))).toThrow();
    expect(() => y.view(4)).toThrow();
    expect(() => torch.autograd.grad(y, t)).toThrow(/implicitly created only for scalar outputs/);
    expect(snapshot()).toEqual(before);
  });
});
