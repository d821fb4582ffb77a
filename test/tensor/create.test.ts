/**
 * @file Making tensors from JS data (torch.tensor, new torch.Tensor, creation functions) and reading them back
 * (tolist, item, toArray, clone), with the checks on bad input. PyTorch's own observations of the same programs
 * are in the `creation` and `reads` scenarios of test/autograd/parity.test.ts.
 */
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';

describe('torch.tensor', () => {
  test('nested arrays: shape, float32 by default, dtype override with PyTorch casts', () => {
    const t = torch.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe(torch.float32);
    expect(t.tolist()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(torch.tensor([1.9, -1.9, 2.5], { dtype: torch.int32 }).tolist()).toEqual([1, -1, 2]); // toward zero
    expect(torch.tensor([0, 2, -0.5], { dtype: torch.bool }).tolist()).toEqual([false, true, true]);
    expect(torch.tensor([true, false]).dtype).toBe(torch.bool);
    expect(torch.tensor(3.5).shape).toEqual([]);
    expect(torch.tensor([]).shape).toEqual([0]);
    expect(torch.tensor([[], []]).shape).toEqual([2, 0]);
    expect(torch.tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
    expect(Array.from(torch.tensor([Number.NaN, Number.POSITIVE_INFINITY]).toArray())).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]);
  });

  test('typed arrays, alone or nested, keep their element kind', () => {
    expect(torch.tensor(new Float64Array([1, 2])).dtype).toBe(torch.float64);
    expect(torch.tensor(new Float32Array([1, 2])).dtype).toBe(torch.float32);
    expect(torch.tensor(new Int32Array([1, 2])).dtype).toBe(torch.int32);
    expect(torch.tensor(new Int16Array([1, -2])).dtype).toBe(torch.int32);
    expect(torch.tensor(new Uint8Array([1, 255])).tolist()).toEqual([1, 255]);
    expect(torch.tensor(new Uint32Array([4e9])).dtype).toBe(torch.float64); // exact beyond int32
    const nested = torch.tensor([new Float32Array([1, 2]), new Float32Array([3, 4])]);
    expect(nested.shape).toEqual([2, 2]);
    expect(nested.dtype).toBe(torch.float32);
    expect(torch.tensor(new Float64Array([1.5]), { dtype: torch.int32 }).tolist()).toEqual([1]);
    expect(() => torch.tensor(new BigInt64Array([1n]) as never)).toThrow(
      /64-bit integer arrays are not supported/,
    );
  });

  test('the data is copied', () => {
    const src = new Float32Array([1, 2]);
    const t = torch.tensor(src);
    src[0] = 100;
    expect(t.tolist()).toEqual([1, 2]);
    const u = torch.tensor(t);
    t.add_(1);
    expect(u.tolist()).toEqual([1, 2]);
  });

  test('ragged or ill-typed data is refused, naming where', () => {
    expect(() => torch.tensor([[1, 2], [3]])).toThrow('expected sequence of length 2 at dim 1 (got 1)');
    expect(() => torch.tensor([[[1], [2]], [[3]]])).toThrow('expected sequence of length 2 at dim 1 (got 1)');
    expect(() => torch.tensor([[1, 2], 3] as never)).toThrow(/expected sequence of length 2 at dim 1/);
    expect(() => torch.tensor([1, [2]] as never)).toThrow(TypeError);
    expect(() => torch.tensor([1, null] as never)).toThrow(/invalid data type 'null' at \[1\]/);
    expect(() => torch.tensor('a' as never)).toThrow(/Could not infer dtype of string/);
    expect(() => torch.tensor([1], { dtype: 'float32' as never })).toThrow(/dtype must be a torch dtype/);
  });

  test('requiresGrad: floating point only, and a leaf', () => {
    const t = torch.tensor([1, 2], { requiresGrad: true });
    expect([t.requiresGrad, t.isLeaf, t.gradFn]).toEqual([true, true, null]);
    expect(() => torch.tensor([1, 2], { dtype: torch.int32, requiresGrad: true })).toThrow(
      /only Tensors of floating point dtype can require gradients/,
    );
    const i = torch.tensor([1, 2], { dtype: torch.int32 });
    expect(() => i.requiresGrad_()).toThrow(/floating point/);
    expect(() => {
      i.requiresGrad = true;
    }).toThrow(/floating point/);
    expect(i.requiresGrad).toBe(false);
    i.requiresGrad_(false); // turning it off is always allowed
  });
});

describe('new torch.Tensor', () => {
  test('is a float32 tensor like torch.Tensor([2]) in PyTorch', () => {
    const t = new torch.Tensor([2]);
    expect(t.dtype).toBe(torch.float32);
    expect(t.shape).toEqual([1]);
    expect(String(t)).toBe('tensor([2.])');
    expect(new torch.Tensor([[1, 2]]).mul(3).tolist()).toEqual([[3, 6]]);
    expect(new torch.Tensor(new Int32Array([1, 2])).dtype).toBe(torch.float32);
    expect(t).toBeInstanceOf(torch.Tensor);
  });
});

describe('creation functions', () => {
  test('sizes as numbers or one array, options last; bad sizes refused', () => {
    expect(torch.zeros(2, 3).shape).toEqual([2, 3]);
    expect(torch.ones([2, 3], { dtype: torch.float64 }).dtype).toBe(torch.float64);
    expect(torch.zeros().shape).toEqual([]);
    expect(torch.full([2], 7).tolist()).toEqual([7, 7]);
    expect(torch.full([2], true).dtype).toBe(torch.bool);
    expect(torch.zerosLike(torch.ones(2, { dtype: torch.int32 })).dtype).toBe(torch.int32);
    expect(() => torch.zeros(Number.NaN)).toThrow(/must be a list of integers.*NaN/);
    expect(() => torch.zeros(-1)).toThrow(/negative dimension -1/);
    expect(() => torch.zeros(1.5)).toThrow(TypeError);
    expect(() => torch.randn(2, -3)).toThrow(/negative dimension -3/);
    expect(() => torch.full([Number.NaN], 1)).toThrow(TypeError);
  });

  test('tensors made in inference mode are inference tensors', () => {
    const t = torch.inferenceMode(() => torch.zeros(2));
    expect(t.isInference()).toBe(true);
    expect(torch.zeros(2).isInference()).toBe(false);
    expect(() => t.add_(1)).toThrow(/inference tensor outside InferenceMode/);
    expect(t.clone().isInference()).toBe(false);
  });
});

describe('reads', () => {
  test('tolist, item, toArray follow the dtype', () => {
    const x = torch.tensor([
      [1.5, 2],
      [3, 4.25],
    ]);
    expect(x.tolist()).toEqual([
      [1.5, 2],
      [3, 4.25],
    ]);
    expect(x.t().tolist()).toEqual([
      [1.5, 3],
      [2, 4.25],
    ]);
    expect(x.sum().item()).toBe(10.75);
    expect(torch.tensor([[7]]).item()).toBe(7);
    expect(torch.tensor(3).tolist()).toBe(3);
    expect(x.gt(2).tolist()).toEqual([
      [false, false],
      [true, true],
    ]);
    expect(torch.tensor(true).item()).toBe(1);
    const arr = x.toArray();
    expect(arr).toBeInstanceOf(Float32Array);
    expect(Array.from(arr)).toEqual([1.5, 2, 3, 4.25]);
    arr[0] = 100; // a copy
    expect(x.tolist()).toEqual([
      [1.5, 2],
      [3, 4.25],
    ]);
    expect(torch.ones(2, { dtype: torch.float64 }).toArray()).toBeInstanceOf(Float64Array);
    expect(torch.ones(2, { dtype: torch.int32 }).toArray()).toBeInstanceOf(Int32Array);
    expect(Array.from(x.narrow(1, 1, 1).toArray())).toEqual([2, 4.25]);
    expect(() => x.item()).toThrow(/a Tensor with 4 elements cannot be converted to Scalar.*tolist\(\)/);
  });

  test('clone copies the data and records CloneBackward0; reads of tensors that require grad work', async () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const c = x.clone();
    expect([c.gradFn?.name, c.isLeaf, c.requiresGrad]).toEqual(['CloneBackward0', false, true]);
    expect(c.storage).not.toBe(x.storage);
    torch.noGrad(() => c.fill_(5));
    expect(x.tolist()).toEqual([1, 2]);
    expect(x.mul(2).tolist()).toEqual([2, 4]);
    expect(await x.mul(2).tolistAsync()).toEqual([2, 4]);
    expect(await x.sum().itemAsync()).toBe(3);
  });
});

describe('printing', () => {
  test('toString and util.inspect print as PyTorch, with requires_grad and grad_fn', () => {
    const x = torch.tensor(3, { requiresGrad: true });
    const v = torch.tensor([1, 2], { requiresGrad: true });
    expect(String(x)).toBe('tensor(3., requires_grad=True)');
    expect(String(x.add(1))).toBe('tensor(4., grad_fn=<AddBackward0>)');
    expect(String(v.mul(2))).toBe('tensor([2., 4.], grad_fn=<MulBackward0>)');
    expect(String(v.double().mul(2))).toBe('tensor([2., 4.], dtype=torch.float64, grad_fn=<MulBackward0>)');
    expect(String(torch.noGrad(() => v.mul(2)))).toBe('tensor([2., 4.])');
    expect(inspect(v.sum())).toBe('tensor(3., grad_fn=<SumBackward0>)');
    expect(inspect({ loss: v.sum() })).toBe('{ loss: tensor(3., grad_fn=<SumBackward0>) }');
    expect(String(v.sum().gradFn)).toBe('<SumBackward0>');
    expect(inspect(v.sum().gradFn)).toBe('<SumBackward0 object>');
  });
});
