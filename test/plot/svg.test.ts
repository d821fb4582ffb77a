/**
 * @file SVG output read back as a DOM: axes, spines, ticks, labels, legend entries, and every marker and line
 * vertex at the pixel matplotlib would put it (640×480 figure, axes box 80..576 × 57.6..427.2 px).
 */
import { afterEach, describe, expect, test } from 'vitest';
import * as torch from '../../src/index.js';
import * as plt from '../../src/plot/index.js';
import { FakeTensor, parseSvg, pathPoints, texts } from './helpers.js';

afterEach(() => plt.close('all'));

const M = '\u2212';
const BOX = { x: 80, y: 57.6, w: 496, h: 369.6 };
const px = (v: number, [lo, hi]: [number, number]) => BOX.x + ((v - lo) / (hi - lo)) * BOX.w;
const py = (v: number, [lo, hi]: [number, number]) => BOX.y + BOX.h - ((v - lo) / (hi - lo)) * BOX.h;

describe('a line plot with legend, grid and labels', () => {
  const n = 50;
  const x = Float64Array.from({ length: n }, (_, i) => (i * 2 * Math.PI) / (n - 1));
  const draw = () => {
    plt.figure();
    plt.plot(x, x.map(Math.sin), 'r-', { label: 'sin(x)' });
    plt.plot(x, x.map(Math.cos), 'bo', { label: 'cos(x)' });
    plt.plot(
      x,
      x.map((v) => 0.5 * Math.sin(2 * v)),
      'g--',
      { label: '0.5 sin(2x)', linewidth: 2 },
    );
    plt.title('Trigonometry');
    plt.xlabel('x');
    plt.ylabel('y');
    plt.legend();
    plt.grid(true);
    return parseSvg(plt.gcf().toSVG());
  };

  test('figure size, axes, spines, title and labels', () => {
    const doc = draw();
    const svg = doc.querySelector('svg');
    expect(svg?.getAttribute('width')).toBe('640');
    expect(svg?.getAttribute('height')).toBe('480');
    expect(doc.querySelectorAll('.axes')).toHaveLength(1);
    expect(doc.querySelectorAll('.spine')).toHaveLength(4);
    expect(texts(doc, '.title')).toEqual(['Trigonometry']);
    expect(texts(doc, '.xlabel')).toEqual(['x']);
    expect(texts(doc, '.ylabel')).toEqual(['y']);
  });

  test('ticks and grid lines where matplotlib puts them', () => {
    const doc = draw();
    expect(texts(doc, '.xaxis .tick-label')).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(texts(doc, '.yaxis .tick-label')).toEqual([
      `${M}1.00`,
      `${M}0.75`,
      `${M}0.50`,
      `${M}0.25`,
      '0.00',
      '0.25',
      '0.50',
      '0.75',
      '1.00',
    ]);
    expect(doc.querySelectorAll('.grid path')).toHaveLength(7 + 9);
    // x limits are the data range plus 5% margins; tick "1" sits at x = 80 + (1 - xmin) / span * 496.
    const xlim: [number, number] = [-0.05 * 2 * Math.PI, 1.05 * 2 * Math.PI];
    const tick1 = doc.querySelectorAll('.xaxis .tick-label')[1];
    expect(Number(tick1?.getAttribute('x'))).toBeCloseTo(px(1, xlim), 1);
  });

  test('lines and markers: colours, dashes, and every vertex at its pixel', () => {
    const doc = draw();
    const lines = Array.from(doc.querySelectorAll('.line2d'));
    expect(lines.map((l) => l.getAttribute('data-label'))).toEqual(['sin(x)', 'cos(x)', '0.5 sin(2x)']);
    const xlim = plt.xlim();
    const ylim = plt.ylim();
    expect(xlim[0]).toBeCloseTo(-0.05 * 2 * Math.PI, 12);
    expect(xlim[1]).toBeCloseTo(1.05 * 2 * Math.PI, 12);

    const sin = lines[0]?.querySelector('path.line');
    expect(sin?.getAttribute('stroke')).toBe('#ff0000');
    expect(Number(sin?.getAttribute('stroke-width'))).toBeCloseTo(1.5 * (100 / 72), 2);
    const pts = pathPoints(sin?.getAttribute('d') ?? '');
    expect(pts).toHaveLength(n);
    pts.forEach(([a, b], i) => {
      expect(a).toBeCloseTo(px(x[i] as number, xlim), 1);
      expect(b).toBeCloseTo(py(Math.sin(x[i] as number), ylim), 1);
    });

    // 'bo': markers only, filled blue, one <use> per point.
    expect(lines[1]?.querySelector('path.line')).toBeNull();
    const markers = lines[1]?.querySelector('.markers');
    expect(markers?.getAttribute('fill')).toBe('#0000ff');
    const uses = Array.from(markers?.querySelectorAll('use') ?? []);
    expect(uses).toHaveLength(n);
    uses.forEach((u, i) => {
      expect(Number(u.getAttribute('x'))).toBeCloseTo(px(x[i] as number, xlim), 1);
      expect(Number(u.getAttribute('y'))).toBeCloseTo(py(Math.cos(x[i] as number), ylim), 1);
    });

    const dashed = lines[2]?.querySelector('path.line');
    expect(dashed?.getAttribute('stroke')).toBe('#008000');
    const w = 2 * (100 / 72);
    expect(dashed?.getAttribute('stroke-dasharray')?.split(' ').map(Number)).toEqual([
      Number((3.7 * w).toFixed(2)),
      Number((1.6 * w).toFixed(2)),
    ]);
  });

  test('legend lists the labels in order, in the emptiest corner', () => {
    const doc = draw();
    const legend = doc.querySelector('.legend');
    expect(texts(doc, '.legend-entry text')).toEqual(['sin(x)', 'cos(x)', '0.5 sin(2x)']);
    // matplotlib's 'best' picks the lower left for this plot (its frame at axes left + 0.5 em).
    const frame = legend?.querySelector('.legend-frame');
    expect(Number(frame?.getAttribute('x'))).toBeCloseTo(BOX.x + 5 * (100 / 72), 1);
    expect(Number(frame?.getAttribute('y')) + Number(frame?.getAttribute('height'))).toBeCloseTo(
      BOX.y + BOX.h - 5 * (100 / 72),
      1,
    );
    expect(frame?.getAttribute('stroke')).toBe('#cccccc');
  });
});

describe('data types and other plot kinds', () => {
  test('tensors, typed arrays and plain arrays give the same picture', () => {
    const ys = [3, 1, 4, 1, 5];
    const make = (y: plt.ArrayData) => {
      plt.figure();
      plt.plot(y);
      const svg = plt.gcf().toSVG();
      plt.close();
      return parseSvg(svg).querySelector('path.line')?.getAttribute('d');
    };
    const expected = make(ys);
    expect(make(new Float32Array(ys))).toBe(expected);
    expect(make(new FakeTensor(new Float32Array(ys), [5]))).toBe(expected);
    // A real tsgrad tensor, of any shape, is read through its toArray().
    expect(make(torch.tensor([[3], [1], [4], [1], [5]]))).toBe(expected);
  });

  test('object-oriented form: subplots, bar with categories, hist counts', () => {
    const [fig, axs] = plt.subplots(1, 2);
    const bars = axs[0]?.bar(['a', 'b', 'c', 'd'], [3, 7, 2, 5], { label: 'count' });
    const { n, bins } = axs[1]?.hist([1, 2, 2, 3, 3, 3], { bins: 3 }) ?? { n: [], bins: [] };
    expect(n).toEqual([1, 2, 3]);
    expect(bins.map((b) => Number(b.toFixed(6)))).toEqual([1, 1.666667, 2.333333, 3]);
    expect(bars).toBeInstanceOf(plt.BarContainer);
    const doc = parseSvg(fig.toSVG());
    const [left, right] = Array.from(doc.querySelectorAll('.axes'));
    expect(texts(left as Element, '.xaxis .tick-label')).toEqual(['a', 'b', 'c', 'd']);
    const rects = Array.from((left as Element).querySelectorAll('rect.bar'));
    expect(rects).toHaveLength(4);
    // Bars stand on y = 0 exactly: the bottom margin stops at the sticky edge, so all bars end at the axes bottom.
    const bottoms = rects.map((r) => Number(r.getAttribute('y')) + Number(r.getAttribute('height')));
    expect(new Set(bottoms).size).toBe(1);
    expect(texts(left as Element, '.yaxis .tick-label')[0]).toBe('0');
    const heights = rects.map((r) => Number(r.getAttribute('height')));
    expect((heights[1] as number) / (heights[0] as number)).toBeCloseTo(7 / 3, 1);
    expect((right as Element).querySelectorAll('rect.bar')).toHaveLength(3);
  });

  test('scatter maps c through the colormap; sizes are in points²', () => {
    plt.figure();
    plt.scatter([0, 1, 2], [0, 1, 0], { c: [0, 0.5, 1], s: [36, 36, 144] });
    const doc = parseSvg(plt.gcf().toSVG());
    const marks = Array.from(doc.querySelectorAll('.collection path'));
    expect(marks.map((m) => m.getAttribute('fill'))).toEqual(['#440154', '#21918c', '#fde725']);
    // A circle of s = 144 pt² is 12 pt wide: its path starts at x = -6 pt.
    expect(marks[2]?.getAttribute('d')?.startsWith(`M${-(6 * 100) / 72}`.slice(0, 6))).toBe(true);
  });

  test('imshow: image of the right shape, y axis downwards, square pixels, colorbar', () => {
    plt.figure();
    const img = Array.from({ length: 4 }, (_, r) => Array.from({ length: 6 }, (_, c) => r * 6 + c));
    plt.imshow(img);
    plt.colorbar();
    const doc = parseSvg(plt.gcf().toSVG());
    const image = doc.querySelector('image');
    expect(image?.getAttribute('data-shape')).toBe('4x6');
    expect(image?.getAttribute('xlink:href')?.startsWith('data:image/png;base64,')).toBe(true);
    expect(Number(image?.getAttribute('width')) / Number(image?.getAttribute('height'))).toBeCloseTo(
      6 / 4,
      1,
    );
    const yticks = Array.from(doc.querySelectorAll('#axes_1 .yaxis .tick'));
    const ys = yticks.map((t) => Number(t.querySelector('text')?.getAttribute('y')));
    // matplotlib 3.6 labels this image the same way.
    expect(texts(doc, '#axes_1 .yaxis .tick-label')).toEqual([
      `${M}0.5`,
      '0.0',
      '0.5',
      '1.0',
      '1.5',
      '2.0',
      '2.5',
      '3.0',
      '3.5',
    ]);
    expect(texts(doc, '#axes_1 .xaxis .tick-label')).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(ys[0]).toBeLessThan(ys[ys.length - 1] as number); // row 0 at the top
    expect(doc.querySelectorAll('.colorbar')).toHaveLength(1);
    expect(texts(doc, '.colorbar .yaxis .tick-label')).toEqual(['0', '5', '10', '15', '20']);
  });

  test('format strings, named and hex colours', () => {
    plt.figure();
    plt.plot([1, 2], 'k:');
    plt.plot([1, 2], { color: 'tab:orange', marker: 's' });
    plt.plot([1, 2], { color: '#123456', linestyle: '-.' });
    plt.plot([1, 2], { color: 'C4' });
    const lines = Array.from(parseSvg(plt.gcf().toSVG()).querySelectorAll('path.line'));
    expect(lines.map((l) => l.getAttribute('stroke'))).toEqual(['#000000', '#ff7f0e', '#123456', '#9467bd']);
    expect(lines[0]?.getAttribute('stroke-dasharray')).toBeTruthy();
  });

  test('default colours cycle like matplotlib (tab10)', () => {
    plt.figure();
    for (let i = 0; i < 3; i++) plt.plot([i, i + 1]);
    const strokes = Array.from(parseSvg(plt.gcf().toSVG()).querySelectorAll('path.line')).map((l) =>
      l.getAttribute('stroke'),
    );
    expect(strokes).toEqual(['#1f77b4', '#ff7f0e', '#2ca02c']);
  });

  test('long lines are simplified like matplotlib, within 1/9 px', () => {
    const n = 20000;
    const line = (fig: plt.Figure) =>
      parseSvg(fig.toSVG()).querySelector('path.line')?.getAttribute('d') ?? '';
    plt.figure();
    plt.plot(Float64Array.from({ length: n }, (_, i) => i));
    expect(pathPoints(line(plt.gcf()))).toHaveLength(2);
    plt.figure();
    plt.plot(Float64Array.from({ length: n }, (_, i) => Math.sin(i / 1000)));
    const pts = pathPoints(line(plt.gcf()));
    expect(pts.length).toBeGreaterThan(20);
    expect(pts.length).toBeLessThan(1000);
    // Every kept point lies on the curve: y = sin(i / 1000) at the x it was drawn at.
    const [x0, x1] = plt.xlim();
    const [y0, y1] = plt.ylim();
    for (const [a, b] of pts) {
      const i = x0 + ((a - BOX.x) / BOX.w) * (x1 - x0);
      const y = BOX.y + BOX.h - ((Math.sin(i / 1000) - y0) / (y1 - y0)) * BOX.h;
      expect(Math.abs(b - y)).toBeLessThan(0.5);
    }
  });

  test('clear errors for bad input', () => {
    plt.figure();
    expect(() => plt.plot([1, 2, 3], [1, 2])).toThrow(/same first dimension/);
    expect(() => plt.plot([1, 2], 'q')).toThrow(/not a valid format string/);
    expect(() => plt.plot([1, 2], { color: 'notacolor' })).toThrow(/not a valid color/);
    expect(() => plt.imshow({ shape: [5], toArray: () => new Float32Array(5) })).toThrow(/shape \(M, N\)/);
    expect(() => plt.xlim(1, 1)).toThrow(/singular/);
  });
});
