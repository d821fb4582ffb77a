/**
 * @file activation ops against PyTorch 1.13 (test/fixtures/ops.json from scripts/fixtures/ops.py): values, dtypes,
 * shapes, views, grad_fn names, input gradients, printing and errors, through the shared helper in test/helpers/ops.ts.
 */
import { describe, test } from 'vitest';
import { caseName, loadOpCases, runCase, runErrorCase } from '../helpers/ops.js';

const cases = loadOpCases('activation');

describe('activation ops match PyTorch', () => {
  for (const [i, c] of cases.entries()) {
    if (c.error) test(`${caseName(c, i)} throws`, () => runErrorCase(c));
    else test(caseName(c, i), () => runCase(c));
  }
});
