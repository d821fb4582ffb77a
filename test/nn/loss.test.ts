/**
 * @file Losses against PyTorch 1.13 (test/fixtures/nn.json): values, input and target gradients, grad_fn names for
 * every reduction, weights, ignore_index, label smoothing and probability targets; loss modules; errors.
 */
import { describe, expect, test } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';
import { expectClose, type FixtureTensor, fixture, t } from './helpers.js';

const { nn } = torch;
const F = nn.functional;

interface LossCase {
  name: string;
  fn: string;
  opts: { reduction?: 'mean' | 'sum' | 'none'; ignore_index?: number; label_smoothing?: number };
  input: FixtureTensor;
  target: FixtureTensor;
  weight: FixtureTensor | null;
  posWeight: FixtureTensor | null;
  gradOut: FixtureTensor;
  output: FixtureTensor;
  gradInput: FixtureTensor;
  gradTarget: FixtureTensor | null;
  gradFn: string;
}
const cases = fixture<{ losses: LossCase[] }>('nn.json').losses;

function run(c: LossCase, x: Tensor, y: Tensor): Tensor {
  const reduction = c.opts.reduction ?? 'mean';
  const weight = c.weight ? t(c.weight) : null;
  switch (c.fn) {
    case 'mse_loss':
      return F.mseLoss(x, y, { reduction });
    case 'l1_loss':
      return F.l1Loss(x, y, { reduction });
    case 'cross_entropy':
      return F.crossEntropy(x, y, {
        reduction,
        weight,
        ...(c.opts.ignore_index !== undefined ? { ignoreIndex: c.opts.ignore_index } : {}),
        ...(c.opts.label_smoothing !== undefined ? { labelSmoothing: c.opts.label_smoothing } : {}),
      });
    case 'nll_loss':
      return F.nllLoss(x, y, {
        reduction,
        weight,
        ...(c.opts.ignore_index !== undefined ? { ignoreIndex: c.opts.ignore_index } : {}),
      });
    case 'binary_cross_entropy':
      return F.binaryCrossEntropy(x, y, { reduction, weight });
    case 'binary_cross_entropy_with_logits':
      return F.binaryCrossEntropyWithLogits(x, y, {
        reduction,
        weight,
        posWeight: c.posWeight ? t(c.posWeight) : null,
      });
    default:
      throw new Error(`unknown loss ${c.fn}`);
  }
}

/** Composite losses record different (equivalent) last nodes than PyTorch 1.13 in a few cases. */
const NODE_ALIASES: Record<string, string[]> = { DivBackward1: ['DivBackward0'] };

describe('losses match PyTorch', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const x = t(c.input).requiresGrad_();
    const y = t(c.target);
    if (c.gradTarget) y.requiresGrad_();
    const out = run(c, x, y);
    expectClose(out, c.output, 1e-4, 1e-5, 'loss');
    expect([c.gradFn, ...(NODE_ALIASES[c.gradFn] ?? [])]).toContain(out.gradFn?.name);
    out.mul(t(c.gradOut)).sum().backward();
    expectClose(x.grad, c.gradInput, 1e-4, 1e-5, 'grad of input');
    if (c.gradTarget) expectClose(y.grad, c.gradTarget, 1e-4, 1e-5, 'grad of target');
  });
});

describe('loss modules', () => {
  test('modules call the functional forms with their options', () => {
    const x = torch.randn(5, 3);
    const y = torch.tensor([0, 2, 1, 1, 0], { dtype: torch.int32 });
    const w = torch.tensor([1, 2, 3]);
    const ce = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1, reduction: 'sum' });
    expect(ce(x, y).item()).toBeCloseTo(
      F.crossEntropy(x, y, { weight: w, labelSmoothing: 0.1, reduction: 'sum' }).item(),
      6,
    );
    expect(Object.keys(ce.stateDict())).toEqual(['weight']);
    expect(String(ce)).toBe('CrossEntropyLoss(label_smoothing=0.1)');
    const nll = new nn.NLLLoss({ ignoreIndex: 1 });
    expect(nll(F.logSoftmax(x, 1), y).item()).toBeCloseTo(
      F.nllLoss(F.logSoftmax(x, 1), y, { ignoreIndex: 1 }).item(),
      6,
    );
    const p = torch.rand(4);
    const b = torch.tensor([1, 0, 1, 0]);
    expect(new nn.BCELoss()(p, b).item()).toBeCloseTo(F.binaryCrossEntropy(p, b).item(), 6);
    const bl = new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([2]) });
    expect(Object.keys(bl.stateDict())).toEqual(['pos_weight']);
    expect(bl(p, b).item()).toBeCloseTo(
      F.binaryCrossEntropyWithLogits(p, b, { posWeight: torch.tensor([2]) }).item(),
      6,
    );
    expect(new nn.MSELoss({ reduction: 'none' })(p, b).shape).toEqual([4]);
    expect(new nn.L1Loss()(p, b).item()).toBeCloseTo(p.sub(b).abs().mean().item(), 6);
  });

  test('errors name the problem and the fix', () => {
    const x = torch.randn(3, 4);
    expect(() => F.crossEntropy(x, torch.tensor([0, 1, 4], { dtype: torch.int32 }))).toThrow(
      /Target 4 is out of bounds/,
    );
    expect(() => F.crossEntropy(x, torch.tensor([0, 1], { dtype: torch.int32 }))).toThrow(
      /batch_size \(3\) to match target batch_size \(2\)/,
    );
    expect(() => F.nllLoss(x, torch.tensor([0, 1, 2]))).toThrow(/int32.*\.int\(\)/);
    expect(() => F.binaryCrossEntropy(torch.tensor([1.5]), torch.tensor([1]))).toThrow(/between 0 and 1/);
    expect(() => F.binaryCrossEntropy(torch.tensor([0.5, 0.5]), torch.tensor([[1], [0]]))).toThrow(
      /same size/,
    );
    expect(() => F.mseLoss(x, x, { reduction: 'avg' as 'mean' })).toThrow(/not a valid value for reduction/);
    expect(() => new nn.CrossEntropyLoss({ reduction: 'bogus' as 'sum' })).toThrow(/reduction/);
  });
});
