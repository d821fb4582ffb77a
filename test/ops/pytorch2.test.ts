/**
 * @file Behaviours of PyTorch 2.x that the 1.13 fixture cannot record (tsgrad follows 2.x): where with number
 * branches, squeeze with a list of dims, grad_fn names 2.x renumbered, and tsgrad's own extensions.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';

const f32 = (data: number[], requiresGrad = false) => torch.tensor(data, { requiresGrad });

describe('PyTorch 2.x behaviours', () => {
  test('where takes numbers on either side, promoting like Python scalars', () => {
    const c = torch.tensor([true, false, true]);
    const x = f32([1, 2, 3], true);
    const y = torch.where(c, x, 0);
    expect(Array.from(y.toArray())).toEqual([1, 0, 3]);
    expect(y.dtype).toBe(torch.float32);
    expect(y.gradFn?.name).toBe('WhereBackward0');
    y.sum().backward();
    expect(Array.from(x.grad!.toArray())).toEqual([1, 0, 1]);
    const i = torch.tensor([1, 2, 3], { dtype: torch.int32 });
    expect(torch.where(c, i, 2.5).dtype).toBe(torch.float32);
    expect(torch.where(c, i, 2).dtype).toBe(torch.int32);
    expect(torch.where(c, 1, 0).dtype).toBe(torch.int32);
    expect(Array.from(torch.where(c, 1.5, 0).toArray())).toEqual([1.5, 0, 1.5]);
  });

  test('squeeze with a list of dims removes those of size 1 (SqueezeBackward2)', () => {
    const x = torch.zeros([1, 2, 1, 1], { requiresGrad: true });
    const y = x.squeeze([0, 2]);
    expect(y.shape).toEqual([2, 1]);
    expect(y.gradFn?.name).toBe('SqueezeBackward2');
    expect(x.squeeze(0).gradFn?.name).toBe('SqueezeBackward1');
    expect(x.squeeze().gradFn?.name).toBe('SqueezeBackward0');
    expect(x.squeeze([1]).shape).toEqual([1, 2, 1, 1]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([1, 2, 1, 1]);
  });

  test('grad_fn names 2.x gives where 1.13 differs', () => {
    const v = f32([1, 2], true);
    const m = torch.ones([2, 3]);
    expect(torch.matmul(v, m).gradFn?.name).toBe('SqueezeBackward4');
    expect(torch.matmul(torch.ones([2, 2, 2], { requiresGrad: true }), m).gradFn?.name).toBe(
      'UnsafeViewBackward0',
    );
    expect(v.reshape([2, 1]).gradFn?.name).toBe('ViewBackward0');
    expect(v.norm().gradFn?.name).toBe('LinalgVectorNormBackward0');
    expect(v.clamp({ min: 0 }).gradFn?.name).toBe('ClampBackward1');
    expect(v.clamp(null, 1).gradFn?.name).toBe('ClampBackward1');
  });

  test('maximum and minimum also take numbers (a tsgrad extension)', () => {
    const x = f32([-1, 0.5, 2]);
    expect(Array.from(torch.maximum(x, 0).toArray())).toEqual([0, 0.5, 2]);
    expect(Array.from(torch.minimum(1, x).toArray())).toEqual([-1, 0.5, 1]);
  });

  test('a JS -0 stays -0 and never leaks into a later 0 (wrapped numbers are cached by value)', () => {
    const x = f32([2, -3]);
    const negZero = Array.from(x.mul(-0).toArray());
    const zero = Array.from(x.mul(0).toArray());
    expect(negZero.map((v) => Object.is(v, -0))).toEqual([true, false]);
    expect(zero.map((v) => Object.is(v, -0))).toEqual([false, true]);
  });
});
