/**
 * @file The engine beyond the PyTorch parity scenarios: deep and wide graphs (no recursion), saved tensors freed
 * after backward, the non-leaf .grad warning, nodes and their printing, and argument checking.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import * as torch from '../../src/index.js';
import { vals } from './helpers.js';

type Tensor = torch.Tensor;

afterEach(() => {
  torch.setGradEnabled(true);
  vi.restoreAllMocks();
});

describe('graph size', () => {
  test('a 20,000-node chain: backward, autograd.grad and backward with inputs do not overflow the stack', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20_000; i++) y = i % 2 === 0 ? y.mul(1) : y.add(1);
    y.sum().backward(null, { retainGraph: true });
    expect(vals(x.grad)).toEqual([1, 1]);
    const [g] = torch.autograd.grad(y.sum(), x, { retainGraph: true });
    expect(vals(g!)).toEqual([1, 1]);
    y.sum().backward(null, { inputs: [x] });
    expect(vals(x.grad)).toEqual([2, 2]);
    expect(String(y)).toBe('tensor([10001., 10002.], grad_fn=<AddBackward0>)');
  });

  test('a 5,000-node chain differentiated twice (createGraph)', () => {
    const x = torch.tensor(0.5, { dtype: torch.float64, requiresGrad: true });
    let y = x;
    for (let i = 0; i < 5_000; i++) y = y.mul(1);
    const [g] = torch.autograd.grad(y.pow(2), x, { createGraph: true }); // 2x through 5,000 nodes and back
    const [g2] = torch.autograd.grad(g!, x);
    expect(g!.item()).toBeCloseTo(1, 12);
    expect(g2!.item()).toBeCloseTo(2, 12);
  });

  test('10,000-wide fan-in: one node with 10,000 inputs, and one leaf used 10,000 times', () => {
    const a = torch.tensor(2, { dtype: torch.float64, requiresGrad: true });
    const parts: Tensor[] = [];
    for (let k = 0; k < 10_000; k++) parts.push(a.mul(k));
    const s = torch.stack(parts).sum();
    expect(s.gradFn!.nextFunctions[0]![0]!.nextFunctions.length).toBe(10_000);
    s.backward();
    expect(a.grad!.item()).toBe((9_999 * 10_000) / 2);

    const b = torch.tensor(3, { requiresGrad: true });
    let level = Array.from({ length: 10_000 }, () => b.mul(1));
    while (level.length > 1) {
      const next: Tensor[] = [];
      for (let i = 0; i < level.length; i += 2)
        next.push(i + 1 < level.length ? level[i]!.add(level[i + 1]!) : level[i]!);
      level = next;
    }
    level[0]!.backward();
    expect(b.grad!.item()).toBe(10_000);
  });
});

describe('saved tensors', () => {
  test('are freed after backward, kept with retainGraph; a second backward says to use retainGraph', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.exp();
    const node = y.gradFn!;
    expect(node.savedTensors().length).toBeGreaterThan(0);
    y.sum().backward(null, { retainGraph: true });
    expect(node.savedTensors().length).toBeGreaterThan(0);
    y.sum().backward();
    expect(node.savedTensors()).toEqual([]);
    expect(() => y.sum().backward()).toThrow(/backward through the graph a second time.*retainGraph: true/s);
    expect(() => y.sum().backward()).toThrow(/ExpBackward0/);
    expect(vals(x.grad)).toEqual([2 * Math.E, 2 * Math.exp(2)].map(Math.fround));
  });

  test('custom Function ctx tensors are freed too', () => {
    class Sq extends torch.autograd.Function {
      static override forward(ctx: torch.autograd.FunctionCtx, t: Tensor): Tensor {
        ctx.saveForBackward(t);
        return t.mul(t);
      }
      static override backward(ctx: torch.autograd.FunctionCtx, g: Tensor): Tensor {
        const [t] = ctx.savedTensors;
        return g.mul(t!).mul(2);
      }
    }
    const x = torch.tensor([3], { requiresGrad: true });
    const y = Sq.apply(x);
    y.backward();
    expect(vals(x.grad)).toEqual([6]);
    expect(() => y.backward()).toThrow(/SqBackward.*second time.*retainGraph/s);
  });

  test('a saved tensor modified in place is caught at backward, naming the node and the versions', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.sigmoid();
    y.mul_(2);
    expect(() => y.sum().backward()).toThrow(
      /modified by an inplace operation.*\[torch\.FloatTensor \[2\]\], which is output 0 of MulBackward0, is at version 1; expected version 0 instead\. It was saved for SigmoidBackward0/s,
    );
    expect(x.grad).toBeNull();
  });
});

describe('non-leaf .grad', () => {
  test('warns once, as PyTorch, and not for leaves or tensors that retain their grad', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const r = x.mul(3);
    r.retainGrad();
    expect(x.grad).toBeNull();
    expect(r.grad).toBeNull();
    expect(warn).not.toHaveBeenCalled();
    expect(y.grad).toBeNull();
    expect(y.grad).toBeNull();
    expect(x.mul(4).grad).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/not a leaf Tensor is being accessed.*retainGrad\(\)/s);
  });
});

describe('nodes', () => {
  test('gradFn names, nextFunctions, AccumulateGrad.variable and printing', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const y = w.mul(3).add(w);
    const fn = y.gradFn!;
    expect(fn).toBeInstanceOf(torch.Node);
    expect(String(fn)).toBe('<AddBackward0>');
    expect(fn.nextFunctions.map(([n, nr]) => [n?.name ?? null, nr])).toEqual([
      ['MulBackward0', 0],
      ['AccumulateGrad', 0],
    ]);
    const mul = fn.nextFunctions[0]![0]!;
    expect(mul.nextFunctions[1]).toEqual([null, 0]);
    const acc = fn.nextFunctions[1]![0] as unknown as { variable: Tensor };
    expect(acc.variable).toBe(w);
    expect(mul.nextFunctions[0]![0]).toBe(acc); // one AccumulateGrad per leaf
  });

  test('a post hook on a node sees its input and output gradients; remove() removes it', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x);
    const seen: number[][] = [];
    const h = y.gradFn!.registerHook(
      (gi, go) => void seen.push(vals(gi[0]! as Tensor), vals(go[0]! as Tensor)),
    );
    y.sum().backward(null, { retainGraph: true });
    h.remove();
    y.sum().backward();
    expect(seen).toEqual([
      [1, 2], // d(x·x)/d(first x) = second x
      [1, 1],
    ]);
  });

  test('the engine runs no node twice and accumulates fan-in before running a node', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const h = x.tanh();
    let calls = 0;
    h.registerHook(() => void calls++);
    h.mul(2).add(h.exp()).add(h).sum().backward();
    expect(calls).toBe(1);
  });
});

describe('arguments are checked before anything changes', () => {
  test('backward and autograd.grad options', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2).sum();
    expect(() => y.backward(null, { retain_graph: true } as never)).toThrow(
      /unexpected option 'retain_graph'; did you mean 'retainGraph'/,
    );
    expect(() => y.backward(null, { retainGraph: 'yes' } as never)).toThrow(
      /option 'retainGraph' must be a boolean/,
    );
    expect(() => y.backward('a' as never)).toThrow(/must be a Tensor or null, got the string 'a'/);
    expect(() => torch.autograd.grad(5 as never, x)).toThrow(/outputs\[0\] must be a Tensor, got number 5/);
    expect(() => torch.autograd.grad(y, [x, 'x'] as never)).toThrow(/inputs\[1\] must be a Tensor/);
    expect(() => torch.autograd.grad(y, x, { allow_unused: true } as never)).toThrow(
      /did you mean 'allowUnused'/,
    );
    expect(() => torch.autograd.grad([y, y], x, { gradOutputs: [torch.ones([])] })).toThrow(
      /one grad_output per output/,
    );
    expect(() => torch.autograd.backward([y], [torch.ones([]), torch.ones([])])).toThrow(
      /2 gradients for 1 tensors/,
    );
    // nothing ran: the graph is intact and no grad was accumulated
    expect(x.grad).toBeNull();
    y.backward();
    expect(vals(x.grad)).toEqual([2, 2]);
  });

  test('grad modes, hooks and requiresGrad take what PyTorch takes', () => {
    expect(() => torch.setGradEnabled('no' as never)).toThrow(/expected a boolean/);
    expect(torch.isGradEnabled()).toBe(true);
    expect(() => torch.noGrad(5 as never)).toThrow(/noGrad\(\) expects a function/);
    expect(() => torch.inferenceMode(null as never)).toThrow(/inferenceMode\(\) expects a function/);
    const x = torch.tensor([1], { requiresGrad: true });
    expect(() => x.registerHook(5 as never)).toThrow(/expected a function/);
    expect(() => x.mul(2).gradFn!.registerHook('f' as never)).toThrow(/expected a function/);
    expect(() => torch.ones(1).requiresGrad_('yes' as never)).toThrow(/must be a boolean/);
    expect(() => torch.ones(1, { requiresGrad: 1 as never })).toThrow(/requiresGrad must be a boolean/);
    expect(() => torch.ones(2, { dtype: torch.int32, requiresGrad: true })).toThrow(/floating point/);
    expect(() => torch.tensor([true], { requiresGrad: true })).toThrow(/floating point/);
  });

  test('noGrad, enableGrad and inferenceMode restore the mode even when fn throws, and pass through results', () => {
    expect(() =>
      torch.noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
    expect(torch.noGrad(() => torch.enableGrad(() => torch.isGradEnabled()))).toBe(true);
    expect(torch.inferenceMode(() => [torch.isGradEnabled(), torch.isInferenceModeEnabled()])).toEqual([
      false,
      true,
    ]);
    expect(torch.isInferenceModeEnabled()).toBe(false);
  });

  test('refused in-place ops leave data, version and history unchanged', () => {
    const leaf = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = leaf.mul(1);
    const cases: [Tensor, () => unknown, RegExp][] = [
      [leaf, () => leaf.add_(1), /a leaf Variable that requires grad/],
      [leaf, () => leaf.narrow(0, 0, 2).zero_(), /a view of a leaf Variable/],
      [y, () => y.add_(torch.ones(2, 3)), /doesn't match the broadcast shape/],
      [y, () => y.unbind()[0]!.mul_(2), /output of a function that returns multiple views/],
      [y, () => torch.noGrad(() => y.narrow(0, 0, 1)).mul_(2), /created in no_grad mode/],
      [y, () => y.copy_('a' as never), /.+/],
    ];
    const i = torch.tensor([1, 2], { dtype: torch.int32 });
    cases.push([i, () => i.mul_(0.5), /result type Float can't be cast to the desired output type Int/]);
    const inf = torch.inferenceMode(() => torch.ones(2));
    cases.push([inf, () => inf.fill_(3), /inference tensor outside InferenceMode/]);
    for (const [t, f, re] of cases) {
      const before = { data: vals(t), version: t.version, fn: t.gradFn };
      expect(f).toThrow(re);
      expect({ data: vals(t), version: t.version, fn: t.gradFn }).toEqual(before);
    }
    y.sum().backward();
    expect(vals(leaf.grad)).toEqual([1, 1, 1]);
  });

  test('failed backward calls leave .grad unchanged', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    const y = x.mul(x);
    expect(() => y.backward()).toThrow(/implicitly created only for scalar outputs.*onesLike/s);
    expect(() => y.backward(torch.ones(3))).toThrow(
      /Mismatch in shape: grad_output\[0\] has a shape of \[3\] and output\[0\] has a shape of \[2\]/,
    );
    expect(() => y.backward(torch.ones(2, { dtype: torch.int32 }))).toThrow(/must have dtype/);
    expect(vals(x.grad)).toEqual([3, 3]);
  });
});

describe('detectAnomaly', () => {
  test('names the node whose gradient became NaN and where its forward was called', () => {
    const a = torch.tensor([0, 1], { requiresGrad: true });
    const c = torch.autograd.detectAnomaly(() => a.sqrt().mul(0));
    let message = '';
    try {
      torch.autograd.detectAnomaly(() => c.sum().backward());
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Function 'SqrtBackward0' returned nan values in its 0th output\./);
    expect(message).toMatch(/Traceback of forward call that caused the error/);
    expect(message).toMatch(/engine\.test\.ts/);
    expect(torch.autograd.isAnomalyEnabled()).toBe(false);
  });

  test('annotates any error of a node with the forward call that made the node', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = torch.autograd.detectAnomaly(() => x.exp());
    y.add_(1);
    expect(() => torch.autograd.detectAnomaly(() => y.sum().backward())).toThrow(
      /modified by an inplace operation.*Error detected in ExpBackward0\. Traceback of forward call/s,
    );
    const z = x.exp();
    z.add_(1);
    expect(() => z.sum().backward()).toThrow(/enable anomaly detection/); // outside anomaly mode: the hint only
  });
});

describe('fused pointwise ops', () => {
  test('addcmul, addcdiv and lerp: values, node names and gradients (gradcheck)', () => {
    const opts = { dtype: torch.float64, requiresGrad: true };
    const s = torch.tensor([0.5, -1, 2], opts);
    const a = torch.tensor([[1.5], [-0.5]], opts);
    const b = torch.tensor([2, 3, -4], opts);
    expect(torch.addcmul(s, a, b, { value: 0.5 }).gradFn!.name).toBe('AddcmulBackward0');
    expect(torch.addcdiv(s, a, b).gradFn!.name).toBe('AddcdivBackward0');
    expect(torch.lerp(s, b, 0.25).gradFn!.name).toBe('LerpBackward0');
    expect(torch.lerp(s, b, 0.25).tolist()).toEqual([0.875, 0, 0.5]);
    expect(torch.autograd.gradcheck((x, y, z) => x.addcmul(y, z, { value: -2 }), [s, a, b])).toBe(true);
    expect(torch.autograd.gradcheck((x, y, z) => x.addcdiv(y, z, { value: 3 }), [s, a, b])).toBe(true);
    expect(torch.autograd.gradcheck((x, y) => x.lerp(y, 0.3), [s, b])).toBe(true);
    expect(torch.autograd.gradgradcheck((x, y, z) => x.addcdiv(y, z), [s, a, b])).toBe(true);
  });
});

describe('tasks inside tasks (Note [Task fields])', () => {
  /** c = 3a + a with a = x², so a's node gathers two gradients; b = 3a runs between them. */
  const graph = () => {
    const x = torch.tensor([2], { requiresGrad: true });
    const a = x.mul(x);
    const b = a.mul(3);
    const c = b.add(a);
    return { x, a, b, c };
  };

  test('autograd.grad in a hook, on the same graph, leaves the outer backward its half-gathered buffers', () => {
    const { x, b, c } = graph();
    let inner: Tensor | null = null;
    let depth = 0;
    b.registerHook(() => {
      if (depth++ > 0) return; // the inner task runs this hook too
      inner = (torch.autograd.grad([c], [x], { retainGraph: true }) as Tensor[])[0]!;
    });
    c.backward();
    expect(vals(inner!)).toEqual([16]); // d(4x²)/dx at 2
    expect(vals(x.grad!)).toEqual([16]);
  });

  test('backward in a hook accumulates, and the outer backward still completes', () => {
    const { x, a, c } = graph();
    let depth = 0;
    a.registerHook((g) => {
      if (depth++ > 0) return;
      c.backward(undefined, { retainGraph: true });
      return g.mul(1);
    });
    c.backward(undefined, { retainGraph: true });
    expect(vals(x.grad!)).toEqual([32]);
    c.backward(); // the fields of earlier tasks are stale, not in the way
    expect(vals(x.grad!)).toEqual([48]);
  });

  test('a backward that fails midway leaves the graph usable', () => {
    const { x, b, c } = graph();
    const h = b.registerHook(() => {
      throw new Error('hook failed');
    });
    expect(() => c.backward(undefined, { retainGraph: true })).toThrow('hook failed');
    h.remove();
    c.backward();
    expect(vals(x.grad!)).toEqual([16]);
  });
});
