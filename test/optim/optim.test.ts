/**
 * @file Optimizers and schedulers against PyTorch 1.13 (test/fixtures/optim.json from scripts/fixtures/optim.py):
 * 100-step trajectories that agree to float32 rounding, a real Adam training run, learning-rate sequences, state
 * dicts, parameter groups and errors.
 */
import { describe, expect, test } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';
import { fixture } from '../nn/helpers.js';

const { nn, optim } = torch;
type Opts = Record<string, number | boolean | number[]>;
interface Traj {
  name: string;
  opt: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Opts;
  groups: Opts[] | null;
  steps: [number[], number[]][];
}
const F = fixture<{
  params: Record<'p0' | 'p1' | 'c0' | 'c1' | 'd0' | 'd1', number[]>;
  trajectories: Traj[];
  training: {
    init: Record<string, { shape: number[]; values: number[] }>;
    x: number[];
    y: number[];
    losses: number[];
    final: Record<string, number[]>;
  };
  schedulers: { name: string; lr: number; lrs: number[]; metrics: number[] | null }[];
}>('optim.json');

const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const camelOpts = (o: Opts): Opts => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));

function makeOptimizer(c: Traj, p0: Tensor, p1: Tensor): torch.optim.Optimizer<{ lr: number }> {
  const opts = camelOpts(c.options);
  const params = c.groups
    ? [
        { params: [p0], ...camelOpts(c.groups[0]!) },
        { params: [p1], ...camelOpts(c.groups[1]!) },
      ]
    : [p0, p1];
  // biome-ignore lint/suspicious/noExplicitAny: each optimizer takes its own options
  return new (optim as any)[c.opt](params, opts);
}

/** Distance in float32 units in the last place. */
function ulps(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const key = (v: number): number => (v < 0 ? -2147483648 - v : v);
  return Math.abs(key(i[0]!) - key(i[1]!));
}

// The gradients are elementwise (p·c + d), so both libraries see the same bits; the updates round as PyTorch's AVX2
// kernels do (Note [Update rounding] in src/optim/optimizer.ts), so every step agrees bit for bit.
describe('100-step trajectories match PyTorch bit for bit', () => {
  test.each(F.trajectories.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const p0 = torch.tensor(F.params.p0).reshape(4, 3).requiresGrad_();
    const p1 = torch.tensor(F.params.p1).requiresGrad_();
    const [c0, c1, d0, d1] = [F.params.c0, F.params.c1, F.params.d0, F.params.d1].map((v) => torch.tensor(v));
    const opt = makeOptimizer(c, p0, p1);
    c.steps.forEach(([e0, e1], step) => {
      torch.noGrad(() => {
        p0.grad = p0.mul(c0!.reshape(4, 3)).add(d0!.reshape(4, 3));
        p1.grad = p1.mul(c1!).add(d1!);
      });
      opt.step();
      const got = [...p0.toArray(), ...p1.toArray()];
      [...e0, ...e1].forEach((e, i) => {
        const d = ulps(got[i]!, e);
        if (d > 0) expect.fail(`step ${step + 1}, element ${i}: got ${got[i]}, expected ${e} (${d} ulps)`);
      });
    });
  });
});

describe('training an MLP with Adam follows PyTorch', () => {
  test('losses and final weights agree', () => {
    const tr = F.training;
    const model = new nn.Sequential(new nn.Linear(3, 16), new nn.Tanh(), new nn.Linear(16, 1));
    model.loadStateDict(
      Object.fromEntries(
        Object.entries(tr.init).map(([k, v]) => [k, torch.tensor(v.values).reshape(v.shape)]),
      ),
    );
    const x = torch.tensor(tr.x).reshape(64, 3);
    const y = torch.tensor(tr.y).reshape(64, 1);
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    tr.losses.forEach((expected, i) => {
      opt.zeroGrad();
      const loss = nn.functional.mseLoss(model(x) as Tensor, y);
      loss.backward();
      opt.step();
      expect(Math.abs(loss.item() - expected), `loss at step ${i}`).toBeLessThan(
        1e-5 * Math.max(1, expected) + 1e-6,
      );
    });
    for (const [k, v] of Object.entries(model.stateDict()))
      for (const [i, a] of Array.from(v.toArray()).entries())
        expect(Math.abs(a - tr.final[k]![i]!), k).toBeLessThan(1e-4);
  });
});

describe('learning-rate schedulers match PyTorch', () => {
  const S = optim.lrScheduler;
  // biome-ignore lint/suspicious/noExplicitAny: schedulers of any optimizer
  const make: Record<string, (o: any) => { step(m: number): void } | { step(m: number): void }[]> = {
    'StepLR(3, 0.5)': (o) => new S.StepLR(o, 3, { gamma: 0.5 }),
    'MultiStepLR([2, 5, 5, 9], 0.3)': (o) => new S.MultiStepLR(o, [2, 5, 5, 9], { gamma: 0.3 }),
    'ExponentialLR(0.9)': (o) => new S.ExponentialLR(o, 0.9),
    'CosineAnnealingLR(10, 0.01)': (o) => new S.CosineAnnealingLR(o, 10, { etaMin: 0.01 }),
    'CosineAnnealingLR(7)': (o) => new S.CosineAnnealingLR(o, 7),
    'LambdaLR(0.95 ** epoch)': (o) => new S.LambdaLR(o, (e) => 0.95 ** e),
    'StepLR(4) + ExponentialLR(0.95)': (o) => [
      new S.StepLR(o, 4, { gamma: 0.5 }),
      new S.ExponentialLR(o, 0.95),
    ],
    'ReduceLROnPlateau(patience=2, cooldown=1, factor=0.5)': (o) =>
      new S.ReduceLROnPlateau(o, { patience: 2, cooldown: 1, factor: 0.5 }),
    'ReduceLROnPlateau(max, abs, threshold=0.05, min_lr=0.02)': (o) =>
      new S.ReduceLROnPlateau(o, {
        mode: 'max',
        thresholdMode: 'abs',
        threshold: 0.05,
        patience: 1,
        minLr: 0.02,
      }),
  };
  test.each(F.schedulers.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const p = torch.zeros(1, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: c.lr });
    const made = make[name]!(opt);
    const scheds = Array.isArray(made) ? made : [made];
    const lrs = [opt.paramGroups[0]!.lr];
    for (let i = 0; i < c.lrs.length - 1; i++) {
      opt.step();
      for (const s of scheds) s.step(c.metrics?.[i] ?? Number.NaN); // epoch schedulers ignore the metric
      lrs.push(opt.paramGroups[0]!.lr);
    }
    for (const [i, lr] of lrs.entries()) expect(lr).toBeCloseTo(c.lrs[i]!, 12);
  });
});

describe('optimizer API', () => {
  test('zeroGrad, parameter groups, closures and errors', () => {
    const a = torch.ones(2, { requiresGrad: true });
    const b = torch.ones(2, { requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    expect(opt.paramGroups[1]!.momentum).toBe(0.9);
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = a.add(b).sum();
      l.backward();
      return l;
    });
    expect((loss as Tensor).item()).toBe(4);
    expect(Array.from(a.toArray())).toEqual([0.9, 0.9].map(Math.fround));
    expect(Array.from(b.toArray())).toEqual([0.5, 0.5]);
    opt.zeroGrad({ setToNone: false });
    expect(a.grad!.sum().item()).toBe(0);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow('optimizer got an empty parameter list');
    expect(() => new optim.Adam([a], { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new optim.SGD([a, a], { lr: 1 })).toThrow(/duplicate parameters/);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(
      'some parameters appear in more than one parameter group',
    );
    expect(() => new optim.Adam([a], { betas: [1, 0.9] })).toThrow(/Invalid beta parameter at index 0/);
    expect(() => new optim.SGD([a.mul(2)], { lr: 1 })).toThrow("can't optimize a non-leaf Tensor");
  });

  test('stateDict / loadStateDict continue the same trajectory', () => {
    const run = (opt: torch.optim.Optimizer<{ lr: number }>, p: Tensor, n: number): void => {
      for (let i = 0; i < n; i++) {
        opt.zeroGrad();
        p.square().sum().backward();
        opt.step();
      }
    };
    const p = torch.tensor([1, -2, 3], { requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.1, amsgrad: true });
    run(opt, p, 3);
    const sd = opt.stateDict();
    expect(sd.paramGroups[0]!.params).toEqual([0]);
    expect(sd.state[0]!.step).toBe(3);
    const q = p.detach().clone().requiresGrad_();
    const opt2 = new optim.Adam([q], { lr: 0.5 });
    opt2.loadStateDict(sd);
    expect(opt2.paramGroups[0]!.lr).toBe(0.1);
    run(opt, p, 2);
    run(opt2, q, 2);
    expect(Array.from(q.toArray())).toEqual(Array.from(p.toArray()));
  });

  test('optimizers reduce a loss', () => {
    for (const make of [
      (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }),
      (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.1 }),
      (ps: Tensor[]) => new optim.AdamW(ps, { lr: 0.1 }),
      (ps: Tensor[]) => new optim.RMSprop(ps, { lr: 0.05 }),
      (ps: Tensor[]) => new optim.Adagrad(ps, { lr: 0.5 }),
    ]) {
      const w = torch.tensor([3, -2], { requiresGrad: true });
      const opt = make([w]);
      const f = (): Tensor =>
        w
          .sub(torch.tensor([1, 1]))
          .square()
          .sum();
      const before = f().item();
      for (let i = 0; i < 50; i++) {
        opt.zeroGrad();
        f().backward();
        opt.step();
      }
      expect(f().item()).toBeLessThan(before / 10);
    }
  });

  test('schedulers expose their learning rates and state', () => {
    const p = torch.zeros(1, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    const s = new optim.lrScheduler.StepLR(opt, 2, { gamma: 0.1 });
    s.step();
    s.step();
    expect(s.getLastLr()[0]).toBeCloseTo(0.1, 12);
    const state = s.stateDict();
    expect(state.lastEpoch).toBe(2);
    const s2 = new optim.lrScheduler.StepLR(new optim.SGD([p], { lr: 1 }), 2, { gamma: 0.1 });
    s2.loadStateDict(state);
    expect(s2.lastEpoch).toBe(2);
  });
});
