/**
 * @file pyplot basics: a line plot with format strings, a legend and a grid, then a 2×2 gallery of scatter,
 * histogram, bar chart and image, both in the stateful `plt.*` style and the `fig, ax` style.
 * Run: `npx tsx examples/plot/basic.ts` (writes basic.png, basic.svg and gallery.png next to this file).
 */
import { fileURLToPath } from 'node:url';
import * as plt from '../../src/plot/index.js';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

// Stateful style, as in matplotlib.pyplot. Plain arrays, typed arrays and tensors (anything with toArray()) work.
const x = Float64Array.from({ length: 50 }, (_, i) => (i * 2 * Math.PI) / 49);
plt.figure();
plt.plot(x, x.map(Math.sin), 'r-', { label: 'sin(x)' });
plt.plot(x, x.map(Math.cos), 'bo', { label: 'cos(x)' });
plt.plot(
  x,
  x.map((v) => 0.5 * Math.sin(2 * v)),
  'g--',
  { label: '0.5 sin(2x)' },
);
plt.title('Trigonometry');
plt.xlabel('x');
plt.ylabel('y');
plt.legend();
plt.grid(true);
console.log('wrote', await plt.savefig(here('basic.png')));
console.log('wrote', await plt.savefig(here('basic.svg')));
plt.close();

// Object-oriented style: const [fig, axs] = plt.subplots(...), then methods on each Axes.
let seed = 7;
const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const samples = (n: number) => Float64Array.from({ length: n }, normal);

const [fig, axs] = plt.subplots(2, 2);
const [[sc, hi], [ba, im]] = axs as [[plt.Axes, plt.Axes], [plt.Axes, plt.Axes]];
const px = samples(150);
const py = px.map((v) => 0.6 * v + 0.8 * normal());
sc.scatter(px, py, { c: py, cmap: 'plasma', s: 16 });
sc.setTitle('scatter');
sc.setXlabel('x');
sc.setYlabel('y');
hi.hist(samples(2000), { bins: 30, edgecolor: 'white', linewidth: 0.5 });
hi.setTitle('hist');
ba.bar(['relu', 'gelu', 'tanh', 'sigmoid'], [0.92, 0.94, 0.88, 0.83], { color: ['C0', 'C1', 'C2', 'C3'] });
ba.setYlim(0.7, 1);
ba.setTitle('bar');
ba.setYlabel('accuracy');
const image = im.imshow(
  Array.from({ length: 16 }, (_, r) =>
    Array.from({ length: 16 }, (_, c) => Math.sin(r / 3) * Math.cos(c / 3)),
  ),
  { cmap: 'RdBu_r' },
);
fig.colorbar(image, { ax: im });
im.setTitle('imshow');
fig.suptitle('Gallery');
fig.tightLayout();
console.log('wrote', await fig.savefig(here('gallery.png')));
