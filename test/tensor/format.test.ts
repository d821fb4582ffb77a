/**
 * @file Tensor printing against repr(t) from PyTorch 1.13 (test/fixtures/printing.json, from
 * scripts/fixtures/printing.py), plus Python's float formatting and a few hand-written cases.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import {
  type FormatDtype,
  formatExp,
  formatFixed,
  formatTensor,
  getPrintOptions,
  setPrintOptions,
} from '../../src/tensor/format.js';

type Value = number | 'nan' | 'inf' | '-inf';
interface Case {
  data: Value[];
  shape: number[];
  dtype: FormatDtype;
  requiresGrad: boolean;
  gradFn: string | null;
  options: {
    precision?: number;
    threshold?: number;
    edgeitems?: number;
    linewidth?: number;
    profile?: 'default' | 'short' | 'full';
    sci_mode?: boolean;
  } | null;
  expected: string;
}

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/printing.json', import.meta.url), 'utf8')) as {
  cases: Case[];
  numbers: [number, number, string, string][];
};

const decode = (v: Value): number =>
  v === 'nan'
    ? Number.NaN
    : v === 'inf'
      ? Number.POSITIVE_INFINITY
      : v === '-inf'
        ? -Number.POSITIVE_INFINITY
        : v;

afterEach(() => setPrintOptions({ profile: 'default' }));

describe('formatTensor matches PyTorch repr', () => {
  test.each(fixtures.cases.map((c, i) => [i, c.expected.split('\n')[0]!.slice(0, 60), c] as const))(
    'case %i: %s',
    (_i, _title, c) => {
      if (c.options) {
        const { sci_mode, ...rest } = c.options;
        setPrintOptions({ ...rest, ...(sci_mode === undefined ? {} : { sciMode: sci_mode }) });
      }
      const data = c.dtype === 'float64' ? Float64Array.from(c.data, decode) : c.data.map(decode);
      expect(
        formatTensor({
          data,
          shape: c.shape,
          dtype: c.dtype,
          requiresGrad: c.requiresGrad,
          gradFn: c.gradFn,
        }),
      ).toBe(c.expected);
    },
  );

  test('there are enough fixture cases', () => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(80);
  });
});

describe("Python's float formatting", () => {
  test.each(fixtures.numbers)('format(%d, .%i)', (x, p, fixed, exp) => {
    expect(formatFixed(x, p)).toBe(fixed);
    expect(formatExp(x, p)).toBe(exp);
  });

  test('ties round half to even on the exact binary value', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(1.005, 2)).toBe('1.00'); // 1.005 is 1.00499999999999989...
    expect(formatExp(1.03125, 4)).toBe('1.0312e+00');
    expect(formatExp(-0, 4)).toBe('-0.0000e+00');
    expect(formatFixed(Number.NaN, 4)).toBe('nan');
    expect(formatExp(-Number.POSITIVE_INFINITY, 4)).toBe('-inf');
  });
});

describe('hand-written cases', () => {
  test('the examples of the API contract', () => {
    expect(formatTensor({ data: [0.2437], shape: [1, 1], dtype: 'float32', requiresGrad: true })).toBe(
      'tensor([[0.2437]], requires_grad=True)',
    );
    expect(formatTensor({ data: [3], shape: [], dtype: 'float32', gradFn: 'AddBackward0' })).toBe(
      'tensor(3., grad_fn=<AddBackward0>)',
    );
    expect(formatTensor({ data: [2], shape: [1], dtype: 'float32' })).toBe('tensor([2.])');
    expect(formatTensor({ data: new Int32Array([1, 2]), shape: [2], dtype: 'int32' })).toBe(
      'tensor([1, 2], dtype=torch.int32)',
    );
    expect(formatTensor({ data: new Uint8Array([1, 0]), shape: [2], dtype: 'bool' })).toBe(
      'tensor([ True, False])',
    );
    expect(formatTensor({ data: [], shape: [0, 3], dtype: 'float32' })).toBe('tensor([], size=(0, 3))');
    expect(formatTensor({ data: [2], shape: [], dtype: 'float64' })).toBe('tensor(2., dtype=torch.float64)');
  });

  test('a device suffix comes first, as PyTorch places device=cuda:0', () => {
    expect(
      formatTensor({ data: [1, 2], shape: [2], dtype: 'int32', device: 'webgpu', requiresGrad: true }),
    ).toBe("tensor([1, 2], device='webgpu', dtype=torch.int32, requires_grad=True)");
    expect(formatTensor({ data: [], shape: [2, 0], dtype: 'float32', device: 'webgpu' })).toBe(
      "tensor([], device='webgpu', size=(2, 0))",
    );
    expect(formatTensor({ data: [1.5], shape: [1], dtype: 'float32', device: 'cpu' })).toBe(
      'tensor([1.5000])',
    );
  });

  test('float32 values print through their double value', () => {
    expect(formatTensor({ data: [0.1], shape: [], dtype: 'float32' })).toBe('tensor(0.1000)');
    expect(formatTensor({ data: [1e-4, 0.5], shape: [2], dtype: 'float32' })).toBe(
      'tensor([1.0000e-04, 5.0000e-01])',
    );
    expect(formatTensor({ data: [1e-4, 0.5], shape: [2], dtype: 'float64' })).toBe(
      'tensor([1.0000e-04, 5.0000e-01], dtype=torch.float64)',
    );
  });

  test('a 3-D summary prints ..., rows and blank lines between blocks', () => {
    const data = Array.from({ length: 8 * 8 * 8 }, (_, i) => i);
    setPrintOptions({ threshold: 100, edgeitems: 1 });
    expect(formatTensor({ data, shape: [8, 8, 8], dtype: 'int32' })).toBe(
      [
        'tensor([[[  0,  ...,   7],',
        '         ...,',
        '         [ 56,  ...,  63]],',
        '',
        '        ...,',
        '',
        '        [[448,  ..., 455],',
        '         ...,',
        '         [504,  ..., 511]]], dtype=torch.int32)',
      ].join('\n'),
    );
  });

  test('setPrintOptions mirrors torch.set_printoptions', () => {
    setPrintOptions({ profile: 'short', sciMode: true });
    expect(getPrintOptions()).toEqual({
      precision: 2,
      threshold: 1000,
      edgeitems: 2,
      linewidth: 80,
      sciMode: true,
    });
    setPrintOptions({ linewidth: 100 }); // as in PyTorch, every call resets sci_mode unless given
    expect(getPrintOptions().sciMode).toBeNull();
    setPrintOptions({ profile: 'full' });
    expect(getPrintOptions().threshold).toBe(Number.POSITIVE_INFINITY);
    setPrintOptions({ profile: 'default' });
    expect(getPrintOptions()).toEqual({
      precision: 4,
      threshold: 1000,
      edgeitems: 3,
      linewidth: 80,
      sciMode: null,
    });
    expect(() => setPrintOptions({ precision: -1 })).toThrow(/precision/);
  });

  test('bad input says what was wrong', () => {
    expect(() => formatTensor({ data: [1, 2, 3], shape: [2], dtype: 'float32' })).toThrow(
      /2 elements but data has 3/,
    );
    expect(() => formatTensor({ data: [], shape: [-1], dtype: 'float32' })).toThrow(/non-negative/);
  });
});
