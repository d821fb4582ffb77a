/**
 * @file Views share storage and the version counter; detach shares both; dtype promotion of tensor/number mixes
 * where JS numbers differ from Python's. PyTorch's observations are in the `views_share_storage`, `detach_semantics`,
 * `version_counter` and `promotion` scenarios of test/autograd/parity.test.ts.
 */
import { describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';

const base = () => torch.arange(6).reshape(2, 3).clone();

describe('views', () => {
  test.each([
    ['view', (x: torch.Tensor) => x.view(6)],
    ['reshape', (x: torch.Tensor) => x.reshape(3, 2)],
    ['unsqueeze', (x: torch.Tensor) => x.unsqueeze(0)],
    ['squeeze', (x: torch.Tensor) => x.unsqueeze(0).squeeze(0)],
    ['transpose', (x: torch.Tensor) => x.transpose(0, 1)],
    ['permute', (x: torch.Tensor) => x.permute(1, 0)],
    ['expand', (x: torch.Tensor) => x.narrow(0, 0, 1).expand(3, 3)],
    ['narrow', (x: torch.Tensor) => x.narrow(1, 1, 2)],
    ['select', (x: torch.Tensor) => x.select(0, 1)],
    ['t', (x: torch.Tensor) => x.t()],
    ['flatten', (x: torch.Tensor) => x.flatten()],
  ])('%s shares storage and version counter with its base, without copying', (_name, f) => {
    const x = base();
    const v = f(x);
    expect(v.storage).toBe(x.storage);
    expect(v._base).toBe(x);
    torch.noGrad(() => x.add_(1));
    expect(v.version).toBe(1);
    expect(Math.min(...Array.from(v.toArray()))).toBeGreaterThanOrEqual(1);
  });

  test('a write through a view is seen by the base and by every other view', () => {
    const x = base();
    const row = x.select(0, 1);
    const col = x.t().select(0, 2);
    row.fill_(-1);
    expect(x.tolist()).toEqual([
      [0, 1, 2],
      [-1, -1, -1],
    ]);
    expect(col.tolist()).toEqual([2, -1]);
    expect([x.version, row.version, col.version]).toEqual([1, 1, 1]);
  });

  test('reshape of a non-contiguous tensor copies, contiguous() of a contiguous tensor does not', () => {
    const x = base();
    expect(x.t().reshape(6).storage).not.toBe(x.storage);
    expect(x.contiguous()).toBe(x);
    expect(x.t().isContiguous()).toBe(false);
    expect(x.t().contiguous().isContiguous()).toBe(true);
    expect(() => x.t().view(6)).toThrow(/view size is not compatible|use \.reshape/);
  });

  test('detach shares storage and version counter; detach_ cuts a tensor from its graph', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.storage).toBe(y.storage);
    expect([d.requiresGrad, d.isLeaf, d.gradFn]).toEqual([false, true, null]);
    d.zero_();
    expect([y.version, d.version]).toEqual([1, 1]);
    expect(y.tolist()).toEqual([0, 0, 0]);
    const z = x.mul(3);
    expect(z.detach_()).toBe(z);
    expect([z.requiresGrad, z.isLeaf]).toEqual([false, true]);
    expect(() => x.mul(1).narrow(0, 0, 1).detach_()).toThrow(/Can't detach views in-place/);
  });

  test('version counts in-place ops only', () => {
    const x = torch.zeros(3);
    expect(x.version).toBe(0);
    x.add(1);
    x.mul(2);
    expect(x.version).toBe(0);
    x.add_(1).mul_(2).sub_(1).div_(2);
    expect(x.version).toBe(4);
    x.zero_();
    x.fill_(1);
    x.copy_(torch.ones(3));
    x.clamp_(0, 1);
    expect(x.version).toBe(8);
  });
});

describe('promotion with JS numbers', () => {
  test('as PyTorch for floats and tensors', () => {
    const i = torch.ones(2, { dtype: torch.int32 });
    const f = torch.ones(2);
    expect(torch.resultType(i, 2.5)).toBe(torch.float32);
    expect(torch.resultType(f, 2)).toBe(torch.float32);
    expect(torch.resultType(f, torch.tensor(1, { dtype: torch.float64 }))).toBe(torch.float32);
    expect(torch.resultType(i, torch.tensor(1, { dtype: torch.float64 }))).toBe(torch.float64);
    expect(i.div(2).dtype).toBe(torch.float32);
    expect(i.lt(2).dtype).toBe(torch.bool);
  });

  test('deliberate difference: a JS number with an integer value promotes as a Python int', () => {
    // JS has one number type: 2.0 === 2. PyTorch gives float32 for int32_tensor * 2.0 and int for * 2; tsgrad
    // cannot tell them apart and treats every integer-valued number as an int (and int32 stands for int64).
    const i = torch.ones(2, { dtype: torch.int32 });
    expect(i.mul(2.0).dtype).toBe(torch.int32);
    expect(i.mul(2.5).dtype).toBe(torch.float32);
    expect(torch.tensor(2).dtype).toBe(torch.float32); // but torch.tensor makes float32 from numbers
  });
});
