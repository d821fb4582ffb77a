/**
 * @file `npm run demo`: the PyTorch autograd tutorial in tsgrad, printing what PyTorch prints.
 * Run: npm run demo
 */
import { inspect } from 'node:util';
import { graphProgram, regressionProgram } from './tutorial-programs.js';

const print = (...values: unknown[]): void =>
  console.log(values.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' '));

console.log('# 1. The computation graph z = w·x + b');
graphProgram(print);
console.log('\n# 2. Fitting y = 3x² + 2 with gradient descent');
regressionProgram(print);
