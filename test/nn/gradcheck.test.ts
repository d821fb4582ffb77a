/**
 * @file Every layer and loss through finite differences in float64 (torch.autograd.gradcheck), and second
 * derivatives (gradgradcheck) for the primitives whose backwards are written in differentiable ops.
 */
import { describe, expect, test } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';

const { nn } = torch;
const F = nn.functional;
const f64 = torch.float64;

function x64(...shape: number[]): Tensor {
  return torch.randn(shape, { dtype: f64, requiresGrad: true });
}

/** Sets the parameter at a dotted path to `value`, returning the old one. */
function swap(m: torch.nn.Module, path: string, value: Tensor): Tensor {
  const parts = path.split('.');
  const owner = m.getSubmodule(parts.slice(0, -1).join('.')) as unknown as Record<string, Tensor>;
  const old = owner[parts.at(-1)!]!;
  owner[parts.at(-1)!] = value;
  return old;
}

/** gradcheck of a module over its input and every parameter, in float64. */
function checkModule(m: torch.nn.Module, input: Tensor, second = false): void {
  m.double();
  const params = m.parameters();
  const names = m.namedParameters().map(([k]) => k);
  // runs the module with the given tensors in place of its parameters (the perturbed copies gradcheck passes)
  const fn = (x: Tensor, ...ps: Tensor[]): Tensor => {
    const saved = names.map((k, i) => swap(m, k, ps[i]!));
    try {
      return m(x) as Tensor;
    } finally {
      names.forEach((k, i) => {
        swap(m, k, saved[i]!);
      });
    }
  };
  const inputs = [input, ...params];
  expect(torch.autograd.gradcheck(fn, inputs, { atol: 1e-5, rtol: 1e-3 })).toBe(true);
  if (second) expect(torch.autograd.gradgradcheck(fn, inputs, { atol: 1e-4, rtol: 1e-3 })).toBe(true);
}

describe('layers pass gradcheck in float64', () => {
  torch.manualSeed(7);
  const cases: [string, () => torch.nn.Module, () => Tensor, boolean][] = [
    ['Linear', () => new nn.Linear(4, 3), () => x64(2, 4), true],
    ['Linear 3-D', () => new nn.Linear(3, 2), () => x64(2, 2, 3), false],
    ['Conv2d', () => new nn.Conv2d(2, 3, 3, { padding: 1, stride: 2 }), () => x64(1, 2, 5, 4), true],
    [
      'Conv2d groups dilation',
      () => new nn.Conv2d(4, 2, 2, { groups: 2, dilation: 2 }),
      () => x64(1, 4, 5, 5),
      false,
    ],
    ['MaxPool2d', () => new nn.MaxPool2d(2, { stride: 1 }), () => x64(1, 2, 4, 4), true],
    [
      'AvgPool2d',
      () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }),
      () => x64(1, 1, 5, 6),
      true,
    ],
    ['BatchNorm1d', () => new nn.BatchNorm1d(3), () => x64(5, 3), true],
    ['BatchNorm2d eval', () => new nn.BatchNorm2d(2).eval(), () => x64(2, 2, 2, 2), false],
    ['LayerNorm', () => new nn.LayerNorm([2, 3]), () => x64(2, 2, 3), true],
    ['GELU', () => new nn.GELU(), () => x64(3, 4), true],
    ['GELU tanh', () => new nn.GELU({ approximate: 'tanh' }), () => x64(3, 4), true],
    ['SiLU', () => new nn.SiLU(), () => x64(3, 4), true],
    ['LeakyReLU', () => new nn.LeakyReLU(0.1), () => x64(3, 4), false],
    ['Tanh', () => new nn.Tanh(), () => x64(3, 4), true],
    ['Sigmoid', () => new nn.Sigmoid(), () => x64(3, 4), true],
    ['Softmax', () => new nn.Softmax(1), () => x64(3, 4), true],
    ['LogSoftmax', () => new nn.LogSoftmax(1), () => x64(3, 4), true],
    ['Flatten', () => new nn.Flatten(), () => x64(2, 2, 3), false],
  ];
  test.each(cases)('%s', (_n, make, input, second) => checkModule(make(), input(), second));

  test('Embedding (weight gradient)', () => {
    const e = new nn.Embedding(5, 3).double();
    const idx = torch.tensor(
      [
        [0, 1],
        [4, 0],
      ],
      { dtype: torch.int32 },
    );
    expect(torch.autograd.gradgradcheck((w: Tensor) => F.embedding(idx, w).square(), [e.weight])).toBe(true);
  });

  test('unfold and fold (each the adjoint of the other), to second order', () => {
    const x = x64(1, 2, 4, 4);
    expect(
      torch.autograd.gradgradcheck((a: Tensor) => F.unfold(a, 2, { padding: 1, stride: 2 }).square(), [x]),
    ).toBe(true);
    const cols = x64(1, 8, 9);
    expect(
      torch.autograd.gradgradcheck(
        (c: Tensor) => F.fold(c, 4, 2, { padding: 1, stride: 2 }).square(),
        [cols],
      ),
    ).toBe(true);
  });
});

describe('conv2d passes gradcheck in float64 (first order: the kernel path and its batch-reduce GEMM)', () => {
  test.each([
    ['stride 1, padding 1', { padding: 1 }],
    ['stride 2x1, dilation 2', { stride: [2, 1], dilation: 2 }],
  ] as const)('%s', (_name, opts) => {
    const x = torch.randn([3, 2, 7, 6], { dtype: f64, requiresGrad: true });
    const w = torch.randn([4, 2, 3, 3], { dtype: f64, requiresGrad: true });
    const b = torch.randn([4], { dtype: f64, requiresGrad: true });
    const f = (xi: Tensor, wi: Tensor, bi: Tensor): Tensor =>
      F.conv2d(xi, wi, bi, opts as Parameters<typeof F.conv2d>[3]);
    expect(torch.autograd.gradcheck(f, [x, w, b])).toBe(true);
  });
});

describe('conv2d backward paths agree', () => {
  test('first order (kernels, saved columns) = createGraph (differentiable ops), and a retained graph runs twice', () => {
    const conv = new nn.Conv2d(3, 5, 3, { padding: 1, stride: [1, 2] });
    const x = torch.randn([4, 3, 24, 23], { requiresGrad: true }); // float32, large enough for the wasm kernels
    const y = conv.forward(x) as Tensor;
    const gy = torch.randn(y.shape);
    const inputs = [x, conv.weight, conv.bias!];
    const first = torch.autograd.grad([y], inputs, { gradOutputs: [gy], retainGraph: true });
    const again = torch.autograd.grad([y], inputs, { gradOutputs: [gy], retainGraph: true });
    const graph = torch.autograd.grad([y], inputs, { gradOutputs: [gy], createGraph: true });
    for (let i = 0; i < 3; i++) {
      const a = first[i]!.toArray() as unknown;
      expect(again[i]!.toArray()).toEqual(a);
      const d = first[i]!.sub(graph[i]!.detach()).abs().max().item();
      expect(d).toBeLessThan(1e-4);
    }
  });
});

describe('losses pass gradcheck in float64', () => {
  const y = torch.tensor([0, 2, 1, 2], { dtype: torch.int32 });
  const w = torch.tensor([0.5, 1.5, 2], { dtype: f64 });
  const probs = torch.softmax(torch.randn(4, 3, { dtype: f64 }), 1);
  const cases: [string, (x: Tensor) => Tensor][] = [
    ['crossEntropy', (x) => F.crossEntropy(x, y, { weight: w, labelSmoothing: 0.2, ignoreIndex: 1 })],
    ['crossEntropy probabilities', (x) => F.crossEntropy(x, probs, { labelSmoothing: 0.1 })],
    ['nllLoss', (x) => F.nllLoss(F.logSoftmax(x, 1), y, { weight: w, reduction: 'sum' })],
    ['mseLoss', (x) => F.mseLoss(x, probs)],
    ['l1Loss', (x) => F.l1Loss(x, probs, { reduction: 'sum' })],
    ['binaryCrossEntropy', (x) => F.binaryCrossEntropy(x.sigmoid(), probs, { weight: w })],
    [
      'binaryCrossEntropyWithLogits',
      (x) => F.binaryCrossEntropyWithLogits(x, probs, { posWeight: w, reduction: 'none' }),
    ],
  ];
  test.each(cases)('%s', (_n, fn) => {
    const x = x64(4, 3);
    expect(torch.autograd.gradcheck(fn, [x])).toBe(true);
    expect(torch.autograd.gradgradcheck(fn, [x], { atol: 1e-4 })).toBe(true);
  });
});
