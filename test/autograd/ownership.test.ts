/**
 * @file The engine frees dead gradient buffers and lets AccumulateGrad keep the ones only it holds (Note [Owned
 * gradients]). Every gradient a user can reach must keep its values: these tests reach them every public way
 * (leaf .grad, hooks, retainGrad, autograd.grad, user-given gradients, custom functions), then run more backward
 * passes whose freed buffers would be reused, and check the values again. Sizes cover both the plain-TS arrays
 * (pooled from 256 elements) and the wasm heap (4096 and up).
 */
import { describe, expect, test } from 'vitest';
import { getBackend } from '../../src/backend/devices.js';
import * as torch from '../../src/index.js';

const SIZES = [300, 5000];

/** Runs a few backward passes that make and free many buffers of size n. */
function churn(n: number): void {
  for (let i = 0; i < 3; i++) {
    const a = torch.full([n], 7, { requiresGrad: true });
    const b = torch.full([n], -5, { requiresGrad: true });
    torch
      .tanh(a.mul(b).add(a))
      .mul(torch.exp(b.mul(0.01)))
      .sum()
      .backward();
  }
}

const values = (t: torch.Tensor | null): number[] => Array.from(t!.toArray());

/** Counts the buffers the default backend takes back during `fn`. */
function releases(fn: () => void): number {
  const be = getBackend('cpu');
  const original = be.release;
  let count = 0;
  be.release = (buf) => {
    count++;
    original?.call(be, buf);
  };
  try {
    fn();
  } finally {
    if (original) be.release = original;
    else delete be.release;
  }
  return count;
}

describe.each(SIZES)('gradient ownership, %i elements', (n) => {
  test('the engine frees dead gradients, and nothing under createGraph', () => {
    const a = torch.full([n], 0.5, { requiresGrad: true });
    const b = torch.full([n], 2, { requiresGrad: true });
    const f = () => torch.tanh(a.mul(b).add(a)).mul(torch.exp(a)).sum();
    expect(releases(() => f().backward())).toBeGreaterThan(0);
    const expected = values(a.grad);
    a.grad = null;
    b.grad = null;
    expect(releases(() => f().backward(undefined, { createGraph: true }))).toBe(0);
    expect(values(a.grad)).toEqual(expected);
  });

  test('a kept gradient is not shared between leaves', () => {
    const a = torch.ones([n], { requiresGrad: true });
    const c = torch.ones([n], { requiresGrad: true });
    a.mul(3).add(c.mul(3)).sum().backward(); // MulBackward0 outputs, then AddBackward0 passes one tensor twice
    a.add(c).sum().backward();
    a.grad!.zero_();
    churn(n);
    expect(values(a.grad).every((v) => v === 0)).toBe(true);
    expect(values(c.grad).every((v) => v === 4)).toBe(true);
  });

  test('gradients seen by hooks, retainGrad and autograd.grad keep their values', () => {
    const x = torch.full([n], 3, { requiresGrad: true });
    const y = x.mul(2);
    const z = y.mul(y);
    const w = x.mul(x);
    let hooked: torch.Tensor | null = null;
    y.registerHook((g) => {
      hooked = g; // a fresh fan-in sum that MulBackward0 consumes next
    });
    w.retainGrad();
    z.add(w.mul(w)).sum().backward();
    const [gx] = torch.autograd.grad([x.mul(x).mul(x).sum()], [x]);
    churn(n);
    expect(values(hooked).every((v) => v === 12)).toBe(true); // 2y
    expect(values(w.grad).every((v) => v === 18)).toBe(true); // 2w
    expect(values(x.grad).every((v) => v === 24 + 108)).toBe(true); // 2·2y + 2x·2w
    expect(values(gx!).every((v) => v === 27)).toBe(true); // 3x²
  });

  test("a caller's gradient is copied, never kept or freed", () => {
    const x = torch.zeros([n], { requiresGrad: true });
    const g = torch.full([n], 2);
    x.backward(g);
    x.mul(1).backward(g);
    churn(n);
    g.zero_();
    expect(values(x.grad).every((v) => v === 4)).toBe(true);
  });

  test('a custom function may keep the gradients it sees', () => {
    const stash: torch.Tensor[] = [];
    class Keep extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, x: torch.Tensor): torch.Tensor {
        return x.mul(1);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor): torch.Tensor {
        stash.push(g);
        const out = g.mul(5);
        stash.push(out);
        return out;
      }
    }
    const x = torch.ones([n], { requiresGrad: true });
    (Keep.apply(x.mul(2)) as torch.Tensor).mul(3).sum().backward();
    churn(n);
    expect(values(stash[0]!).every((v) => v === 3)).toBe(true);
    expect(values(stash[1]!).every((v) => v === 15)).toBe(true);
    expect(values(x.grad).every((v) => v === 30)).toBe(true);
  });

  test('fan-in sums into an owned buffer give the same gradients as fresh sums', () => {
    const x = torch.linspace(-1, 1, n, { requiresGrad: true });
    const y = x.mul(x).add(x.mul(3)).add(torch.sin(x)).add(x.mul(x).mul(x)); // four uses of x
    y.sum().backward();
    const xs = values(x.detach());
    values(x.grad).forEach((g, i) => {
      const v = xs[i]!;
      expect(g).toBeCloseTo(2 * v + 3 + Math.cos(v) + 3 * v * v, 5);
    });
  });
});
