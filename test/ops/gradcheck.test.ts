/**
 * @file gradcheck (finite differences in float64) of every differentiable op case of test/fixtures/ops.json, and
 * gradgradcheck where PyTorch 1.13 passes it on the same inputs.
 */
import { describe, test } from 'vitest';
import { caseName, opsFixture, runGradcheck } from '../helpers/ops.js';

const cases = opsFixture().cases.filter((c) => c.gradcheck);

describe('gradcheck', () => {
  for (const [i, c] of cases.entries())
    test(`${caseName(c, i)}${c.gradgradcheck ? ' (and gradgradcheck)' : ''}`, () => runGradcheck(c));
});
