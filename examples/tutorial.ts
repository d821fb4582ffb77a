/**
 * @file `npm run demo`: the PyTorch autograd tutorial in tsgrad. Prints what PyTorch prints, and writes
 * graph.svg (the computation graph z = w·x + b) and regression.png (data and fitted curve) to ./out/.
 * Run: npm run demo
 */
import { inspect } from 'node:util';
import * as torch from '../src/index.js';
import * as plt from '../src/plot/index.js';
import { makeDot } from '../src/viz/index.js';
import { graphProgram, regressionProgram } from './tutorial-programs.js';

const print = (...values: unknown[]): void =>
  console.log(values.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' '));
const outDir = process.env.TSGRAD_DEMO_DIR ?? 'out';

console.log('# 1. The computation graph z = w·x + b');
const { x, w, b, y, z } = graphProgram(print);
const graph = makeDot(z, { params: { x, w, b, y, z }, view: 'forward' });
console.log(`computation graph: ${await graph.save(`${outDir}/graph.svg`)}`);
console.log(
  `autograd graph:    ${await makeDot(z, { params: { w, b } }).save(`${outDir}/autograd-graph.svg`)}`,
);

console.log('\n# 2. Fitting y = 3x² + 2 with gradient descent');
const fit = regressionProgram(print);
const prediction = torch.noGrad(() => fit.x.pow(2).mm(fit.w).add(fit.b));
plt.figure();
plt.plot(fit.x, prediction, 'r-', { label: 'predict', linewidth: 2 });
plt.scatter(fit.x, fit.y, { color: 'b', label: 'true' });
plt.xlim(-1, 1);
plt.ylim(2, 6);
plt.legend();
console.log(`regression plot:   ${await plt.savefig(`${outDir}/regression.png`)}`);

plt.figure();
plt.plot(fit.losses, { label: 'loss' });
plt.yscale('log');
plt.xlabel('step');
plt.ylabel('loss');
plt.title('Training loss');
console.log(`loss curve:        ${await plt.savefig(`${outDir}/loss.png`)}`);
