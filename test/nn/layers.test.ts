/**
 * @file nn layers against PyTorch 1.13 (test/fixtures/nn.json from scripts/fixtures/nn.py): outputs, input and
 * parameter gradients, buffers, grad_fn names and printed forms; PyTorch's default initialisation after a seed.
 */
import { describe, expect, test } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';
import { expectClose, type FixtureTensor, fixture, t } from './helpers.js';

const { nn } = torch;

interface LayerCase {
  name: string;
  ctor: string;
  training: boolean;
  inputs: FixtureTensor[];
  params: Record<string, FixtureTensor>;
  gradOut: FixtureTensor;
  output: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  buffers: Record<string, FixtureTensor>;
  gradFn: string | null;
  repr: string;
}
interface InitCase {
  name: string;
  seed: number;
  params: Record<string, FixtureTensor>;
}
const F = fixture<{
  init: InitCase[];
  gains: Record<string, number>;
  layers: LayerCase[];
  reprs: Record<string, string>;
  dropout: { seed: number; p: number; shape: number[]; output: FixtureTensor }[];
}>('nn.json');

/** The tsgrad module of each fixture constructor. */
const CTORS: Record<string, () => torch.nn.Module> = {
  'nn.Linear(4, 3)': () => new nn.Linear(4, 3),
  'nn.Linear(4, 3, bias=False)': () => new nn.Linear(4, 3, { bias: false }),
  'nn.Conv2d(2, 3, 3)': () => new nn.Conv2d(2, 3, 3),
  'nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2))': () =>
    new nn.Conv2d(3, 4, [3, 2], { stride: [2, 1], padding: [1, 2] }),
  'nn.Conv2d(4, 6, 3, dilation=2, groups=2, bias=False)': () =>
    new nn.Conv2d(4, 6, 3, { dilation: 2, groups: 2, bias: false }),
  "nn.Conv2d(2, 2, 4, padding='same')": () => new nn.Conv2d(2, 2, 4, { padding: 'same' }),
  'nn.Conv2d(1, 2, 2)': () => new nn.Conv2d(1, 2, 2),
  'nn.MaxPool2d(2)': () => new nn.MaxPool2d(2),
  'nn.MaxPool2d(3, stride=2, padding=1)': () => new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
  'nn.MaxPool2d(2, stride=2, dilation=2, ceil_mode=True)': () =>
    new nn.MaxPool2d(2, { stride: 2, dilation: 2, ceilMode: true }),
  'nn.AvgPool2d(2)': () => new nn.AvgPool2d(2),
  'nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)': () =>
    new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }),
  'nn.AvgPool2d(2, stride=2, ceil_mode=True)': () => new nn.AvgPool2d(2, { stride: 2, ceilMode: true }),
  'nn.AvgPool2d((2, 3), stride=1, padding=1, divisor_override=5)': () =>
    new nn.AvgPool2d([2, 3], { stride: 1, padding: 1, divisorOverride: 5 }),
  'nn.BatchNorm1d(3)': () => new nn.BatchNorm1d(3),
  'nn.BatchNorm1d(3, momentum=0.3)': () => new nn.BatchNorm1d(3, { momentum: 0.3 }),
  'nn.BatchNorm2d(4)': () => new nn.BatchNorm2d(4),
  'nn.BatchNorm2d(2, affine=False, momentum=None)': () =>
    new nn.BatchNorm2d(2, { affine: false, momentum: null }),
  'nn.LayerNorm(5)': () => new nn.LayerNorm(5),
  'nn.LayerNorm([3, 4], eps=1e-3)': () => new nn.LayerNorm([3, 4], { eps: 1e-3 }),
  'nn.Embedding(6, 3)': () => new nn.Embedding(6, 3),
  'nn.Embedding(6, 3, padding_idx=2)': () => new nn.Embedding(6, 3, { paddingIdx: 2 }),
  'nn.GELU()': () => new nn.GELU(),
  "nn.GELU(approximate='tanh')": () => new nn.GELU({ approximate: 'tanh' }),
  'nn.SiLU()': () => new nn.SiLU(),
  'nn.ReLU()': () => new nn.ReLU(),
  'nn.LeakyReLU(0.2)': () => new nn.LeakyReLU(0.2),
  'nn.Tanh()': () => new nn.Tanh(),
  'nn.Sigmoid()': () => new nn.Sigmoid(),
  'nn.Softmax(dim=1)': () => new nn.Softmax(1),
  'nn.LogSoftmax(dim=-1)': () => new nn.LogSoftmax(-1),
  'nn.Flatten()': () => new nn.Flatten(),
  'nn.Dropout(0.3)': () => new nn.Dropout(0.3),
  'nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.LogSoftmax(dim=1))': () =>
    new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3), new nn.LogSoftmax(1)),
  'nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 3))':
    () =>
      new nn.Sequential(
        new nn.Conv2d(1, 4, 3, { padding: 1 }),
        new nn.BatchNorm2d(4),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(16, 3),
      ),
};

/** grad_fn names where tsgrad follows PyTorch 2 (flatten is a view there; 1.13 records _reshape_alias). */
const GRAD_FN_ALIASES: Record<string, string> = { ReshapeAliasBackward0: 'ViewBackward0' };

describe('layers match PyTorch', () => {
  test.each(F.layers.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const make = CTORS[c.ctor];
    expect(make, `no tsgrad constructor for ${c.ctor}`).toBeDefined();
    const m = make!();
    m.train(c.training);
    const params = Object.fromEntries(m.namedParameters());
    expect(Object.keys(params).sort()).toEqual(Object.keys(c.params).sort());
    torch.noGrad(() => {
      for (const [k, v] of Object.entries(c.params)) params[k]!.copy_(t(v));
    });
    const xs = c.inputs.map((f) => {
      const x = t(f);
      return x.isFloatingPoint() ? x.requiresGrad_() : x;
    });
    const out = m(...(xs as [Tensor])) as Tensor;
    expectClose(out, c.output, 1e-4, 1e-5, 'output');
    const gf = c.gradFn === null ? null : (GRAD_FN_ALIASES[c.gradFn] ?? c.gradFn);
    expect(out.gradFn?.name ?? null).toBe(gf);
    out.mul(t(c.gradOut)).sum().backward();
    xs.forEach((x, i) => {
      const g = c.grads[`input${i}`];
      if (g) expectClose(x.grad, g, 1e-4, 1e-5, `grad of input ${i}`);
    });
    for (const [k, g] of Object.entries(c.grads))
      if (!k.startsWith('input')) expectClose(params[k]!.grad, g, 1e-4, 1e-5, `grad of ${k}`);
    const bufs = Object.fromEntries(m.namedBuffers());
    for (const [k, b] of Object.entries(c.buffers)) expectClose(bufs[k]!, b, 1e-4, 1e-6, `buffer ${k}`);
    expect(String(m)).toBe(c.repr);
  });
});

describe('initialisation matches PyTorch after manualSeed', () => {
  const INITS: Record<string, () => Record<string, Tensor>> = {
    'Linear(3, 2)': () => new nn.Linear(3, 2).stateDict(),
    'Linear(20, 30)': () => new nn.Linear(20, 30).stateDict(),
    'Linear(4, 3, bias=False)': () => new nn.Linear(4, 3, { bias: false }).stateDict(),
    'Conv2d(2, 3, 3)': () => new nn.Conv2d(2, 3, 3).stateDict(),
    'Conv2d(4, 6, (3, 2), groups=2)': () => new nn.Conv2d(4, 6, [3, 2], { groups: 2 }).stateDict(),
    'Embedding(5, 3)': () => new nn.Embedding(5, 3).stateDict(),
    'Embedding(10, 4, padding_idx=2)': () => new nn.Embedding(10, 4, { paddingIdx: 2 }).stateDict(),
    'BatchNorm2d(3)': () => new nn.BatchNorm2d(3).stateDict(),
    'LayerNorm([2, 3])': () => new nn.LayerNorm([2, 3]).stateDict(),
    'uniform_(-2, 3)': () => ({ t: nn.init.uniform_(torch.empty(4, 5), -2, 3) }),
    'normal_(1, 0.5)': () => ({ t: nn.init.normal_(torch.empty(4, 5), 1, 0.5) }),
    'normal_ small': () => ({ t: nn.init.normal_(torch.empty(3, 3)) }),
    'constant_(0.3)': () => ({ t: nn.init.constant_(torch.empty(2, 3), 0.3) }),
    ones_: () => ({ t: nn.init.ones_(torch.empty(2, 3)) }),
    zeros_: () => ({ t: nn.init.zeros_(torch.empty(2, 3)) }),
    eye_: () => ({ t: nn.init.eye_(torch.empty(3, 4)) }),
    xavier_uniform_: () => ({ t: nn.init.xavierUniform_(torch.empty(6, 5)) }),
    'xavier_uniform_(gain=2)': () => ({ t: nn.init.xavierUniform_(torch.empty(3, 2, 3, 3), 2) }),
    xavier_normal_: () => ({ t: nn.init.xavierNormal_(torch.empty(6, 5)) }),
    kaiming_uniform_: () => ({ t: nn.init.kaimingUniform_(torch.empty(6, 5)) }),
    'kaiming_uniform_(fan_out, relu)': () => ({
      t: nn.init.kaimingUniform_(torch.empty(4, 3, 2, 2), { mode: 'fan_out', nonlinearity: 'relu' }),
    }),
    kaiming_normal_: () => ({ t: nn.init.kaimingNormal_(torch.empty(6, 5)) }),
    'kaiming_normal_(a=0.1, tanh)': () => ({
      t: nn.init.kaimingNormal_(torch.empty(8, 4), { a: 0.1, nonlinearity: 'tanh' }),
    }),
  };
  test.each(F.init.map((c) => [c.name, c] as const))('%s', (name, c) => {
    torch.manualSeed(c.seed);
    const got = INITS[name]!();
    expect(Object.keys(got).sort()).toEqual(Object.keys(c.params).sort());
    // the same draws give the same float32 values (exactly, or within one rounding of the scaling)
    for (const [k, v] of Object.entries(c.params)) expectClose(got[k]!, v, 1e-6, 1e-7, k);
  });

  test('calculateGain', () => {
    for (const [k, v] of Object.entries(F.gains)) {
      const g =
        k === 'leaky_relu(0.2)'
          ? nn.init.calculateGain('leaky_relu', 0.2)
          : nn.init.calculateGain(k as 'relu');
      expect(g).toBe(v);
    }
  });

  test('a freshly built nn.Linear(3, 2) after manualSeed(0) holds PyTorch weights', () => {
    torch.manualSeed(0);
    const l = new nn.Linear(3, 2);
    expect(String(l.weight)).toBe(
      'Parameter containing:\ntensor([[-0.0043,  0.3097, -0.4752],\n        [-0.4249, -0.2224,  0.1548]], requires_grad=True)',
    );
  });
});

describe('dropout', () => {
  test.each(F.dropout.map((c) => [`seed ${c.seed} p ${c.p}`, c] as const))(
    '%s draws the mask PyTorch draws',
    (_n, c) => {
      torch.manualSeed(c.seed);
      const y = nn.functional.dropout(torch.ones(c.shape), c.p);
      expectClose(y, c.output, 0, 0, 'dropout');
    },
  );
  test('eval mode is the identity, and the node is MulBackward0 in training', () => {
    const d = new nn.Dropout(0.5);
    const x = torch.randn(3, 3, { requiresGrad: true });
    expect(d(x).gradFn?.name).toBe('MulBackward0');
    d.eval();
    expect(d(x)).toBe(x);
  });
});

describe('printing', () => {
  const MODS: Record<string, () => torch.nn.Module> = {
    'Conv2d(1, 8, 3, padding=1)': () => new nn.Conv2d(1, 8, 3, { padding: 1 }),
    'Conv2d(2, 4, (3, 5), stride=2, padding=(1, 2), dilation=(2, 1), groups=2, bias=False)': () =>
      new nn.Conv2d(2, 4, [3, 5], { stride: 2, padding: [1, 2], dilation: [2, 1], groups: 2, bias: false }),
    'MaxPool2d(2)': () => new nn.MaxPool2d(2),
    'AvgPool2d(3, stride=1)': () => new nn.AvgPool2d(3, { stride: 1 }),
    'BatchNorm1d(8)': () => new nn.BatchNorm1d(8),
    'LayerNorm(4)': () => new nn.LayerNorm(4),
    'Embedding(10, 3, padding_idx=0)': () => new nn.Embedding(10, 3, { paddingIdx: 0 }),
    'Dropout(0.25)': () => new nn.Dropout(0.25),
    'GELU()': () => new nn.GELU(),
    'Softmax(dim=1)': () => new nn.Softmax(1),
    'Flatten()': () => new nn.Flatten(),
    'CrossEntropyLoss()': () => new nn.CrossEntropyLoss(),
    Sequential: () =>
      new nn.Sequential(
        new nn.Linear(3, 4),
        new nn.ReLU(),
        new nn.Sequential(new nn.Linear(4, 2), new nn.Tanh()),
      ),
  };
  test.each(Object.entries(F.reprs))('%s', (k, repr) => {
    expect(String(MODS[k]!())).toBe(repr);
  });
});
