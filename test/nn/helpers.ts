/**
 * @file Shared helpers of the nn/optim/data tests: fixture tensors (from scripts/fixtures/*.py) to tsgrad tensors,
 * and closeness checks with float32 tolerances.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';

/** A tensor as the fixture scripts write it. @example { shape: [2], dtype: 'float32', values: [1, 2] } */
export interface FixtureTensor {
  shape: number[];
  dtype: string;
  values: number[];
}

/**
 * Reads a JSON fixture from test/fixtures.
 * @example const nn = fixture<NnFixture>('nn.json');
 */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

const DTYPES: Record<string, torch.DType> = {
  float32: torch.float32,
  float64: torch.float64,
  int64: torch.int32,
  int32: torch.int32,
  bool: torch.bool,
};

/**
 * The tsgrad tensor of a fixture tensor (int64 becomes int32).
 * @example t(case.input)
 */
export function t(f: FixtureTensor, dtype?: torch.DType): Tensor {
  const d = dtype ?? DTYPES[f.dtype]!;
  return torch.tensor(f.values, { dtype: d }).reshape(f.shape);
}

/**
 * Expects `actual` to match the fixture tensor in shape and, within float32 tolerances, in values.
 * @example expectClose(y, c.output)
 */
export function expectClose(
  actual: Tensor | null,
  expected: FixtureTensor,
  rtol = 1e-4,
  atol = 1e-5,
  what = '',
): void {
  expect(actual, `${what}: missing`).not.toBeNull();
  const a = actual!;
  expect(a.shape, `${what}: shape`).toEqual(expected.shape);
  const got = Array.from(a.toArray() as ArrayLike<number>);
  const scale = Math.max(1, ...expected.values.map((v) => Math.abs(v)));
  got.forEach((v, i) => {
    const e = expected.values[i]!;
    const ok = Math.abs(v - e) <= atol * scale + rtol * Math.abs(e) || (Number.isNaN(v) && Number.isNaN(e));
    if (!ok) expect.fail(`${what}: element ${i}: got ${v}, expected ${e}`);
  });
}
