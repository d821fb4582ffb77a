/**
 * @file Ticks and tick labels against matplotlib 3.6: the same view limits on a full-size and on a 2×2-grid
 * axes must give the same tick positions, labels and offset text as matplotlib draws.
 */
import { afterEach, describe, expect, test } from 'vitest';
import * as plt from '../../src/plot/index.js';
import { formatTicks, logTicks, maxNLocator, nonsingular } from '../../src/plot/ticks.js';
import { parseSvg, texts } from './helpers.js';

// [size, limits, x ticks, x labels, x offset, y ticks, y labels, y offset], read from matplotlib 3.6.3's
// `axis._update_ticks()` after `set_xlim`/`set_ylim` on `plt.subplots()` ('full') and `plt.subplots(2, 2)[0][0]`.
type Case = [string, [number, number], number[], string[], string, number[], string[], string];
const M = '\u2212';
const CASES: Case[] = [
  [
    'full',
    [-0.5, 10.5],
    [0, 2, 4, 6, 8, 10],
    ['0', '2', '4', '6', '8', '10'],
    '',
    [0, 2, 4, 6, 8, 10],
    ['0', '2', '4', '6', '8', '10'],
    '',
  ],
  [
    'quarter',
    [-0.5, 10.5],
    [0, 2.5, 5, 7.5, 10],
    ['0.0', '2.5', '5.0', '7.5', '10.0'],
    '',
    [0, 2, 4, 6, 8, 10],
    ['0', '2', '4', '6', '8', '10'],
    '',
  ],
  [
    'full',
    [0, 1],
    [0, 0.2, 0.4, 0.6, 0.8, 1],
    ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0'],
    '',
    [0, 0.2, 0.4, 0.6, 0.8, 1],
    ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0'],
    '',
  ],
  [
    'full',
    [-1.1, 1.1],
    [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1],
    [`${M}1.00`, `${M}0.75`, `${M}0.50`, `${M}0.25`, '0.00', '0.25', '0.50', '0.75', '1.00'],
    '',
    [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1],
    [`${M}1.00`, `${M}0.75`, `${M}0.50`, `${M}0.25`, '0.00', '0.25', '0.50', '0.75', '1.00'],
    '',
  ],
  [
    'quarter',
    [-1.1, 1.1],
    [-1, -0.5, 0, 0.5, 1],
    [`${M}1.0`, `${M}0.5`, '0.0', '0.5', '1.0'],
    '',
    [-1, -0.5, 0, 0.5, 1],
    [`${M}1.0`, `${M}0.5`, '0.0', '0.5', '1.0'],
    '',
  ],
  [
    'quarter',
    [-0.3141592653589793, 6.5973445725385655],
    [0, 2, 4, 6],
    ['0', '2', '4', '6'],
    '',
    [0, 2, 4, 6],
    ['0', '2', '4', '6'],
    '',
  ],
  [
    'quarter',
    [0.945, 1.055],
    [0.95, 0.975, 1, 1.025, 1.05],
    ['0.950', '0.975', '1.000', '1.025', '1.050'],
    '',
    [0.96, 0.98, 1, 1.02, 1.04],
    ['0.96', '0.98', '1.00', '1.02', '1.04'],
    '',
  ],
  [
    'full',
    [1000.1, 1000.2],
    [1000.1, 1000.12, 1000.14, 1000.16, 1000.18, 1000.2],
    ['0.10', '0.12', '0.14', '0.16', '0.18', '0.20'],
    '+1e3',
    [1000.1, 1000.12, 1000.14, 1000.16, 1000.18, 1000.2],
    ['0.10', '0.12', '0.14', '0.16', '0.18', '0.20'],
    '+1e3',
  ],
  [
    'full',
    [0, 1e7],
    [0, 2e6, 4e6, 6e6, 8e6, 1e7],
    ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0'],
    '1e7',
    [0, 2e6, 4e6, 6e6, 8e6, 1e7],
    ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0'],
    '1e7',
  ],
  [
    'full',
    [-5e-6, 5e-6],
    [-4e-6, -2e-6, 0, 2e-6, 4e-6],
    [`${M}4`, `${M}2`, '0', '2', '4'],
    `1e${M}6`,
    [-4e-6, -2e-6, 0, 2e-6, 4e-6],
    [`${M}4`, `${M}2`, '0', '2', '4'],
    `1e${M}6`,
  ],
  [
    'quarter',
    [3, 7],
    [3, 4, 5, 6, 7],
    ['3', '4', '5', '6', '7'],
    '',
    [3, 4, 5, 6, 7],
    ['3', '4', '5', '6', '7'],
    '',
  ],
  [
    'quarter',
    [-123, 456],
    [0, 200, 400],
    ['0', '200', '400'],
    '',
    [-100, 0, 100, 200, 300, 400],
    [`${M}100`, '0', '100', '200', '300', '400'],
    '',
  ],
  [
    'quarter',
    [0.001, 0.002],
    [0.001, 0.0012, 0.0014, 0.0016, 0.0018, 0.002],
    ['0.0010', '0.0012', '0.0014', '0.0016', '0.0018', '0.0020'],
    '',
    [0.001, 0.0012, 0.0014, 0.0016, 0.0018, 0.002],
    ['0.0010', '0.0012', '0.0014', '0.0016', '0.0018', '0.0020'],
    '',
  ],
  [
    'full',
    [1e5, 1.1e6],
    [2e5, 4e5, 6e5, 8e5, 1e6],
    ['0.2', '0.4', '0.6', '0.8', '1.0'],
    '1e6',
    [2e5, 4e5, 6e5, 8e5, 1e6],
    ['0.2', '0.4', '0.6', '0.8', '1.0'],
    '1e6',
  ],
  [
    'full',
    [10, -10],
    [-10, -7.5, -5, -2.5, 0, 2.5, 5, 7.5, 10],
    [`${M}10.0`, `${M}7.5`, `${M}5.0`, `${M}2.5`, '0.0', '2.5', '5.0', '7.5', '10.0'],
    '',
    [-10, -7.5, -5, -2.5, 0, 2.5, 5, 7.5, 10],
    [`${M}10.0`, `${M}7.5`, `${M}5.0`, `${M}2.5`, '0.0', '2.5', '5.0', '7.5', '10.0'],
    '',
  ],
];

afterEach(() => plt.close('all'));

function axisOf(svg: string, which: 'x' | 'y') {
  const axis = parseSvg(svg).querySelector(`#axes_1 .${which}axis`);
  if (!axis) throw new Error(`no ${which} axis drawn`);
  return {
    ticks: Array.from(axis.querySelectorAll('.tick')).map((t) => Number(t.getAttribute('data-value'))),
    labels: texts(axis, '.tick-label'),
    offset: axis.querySelector('.offset-text')?.textContent ?? '',
  };
}

describe('ticks match matplotlib', () => {
  test.each(CASES)('%s axes, limits %j', (size, lim, xt, xl, xo, yt, yl, yo) => {
    const ax = size === 'full' ? plt.subplots()[1] : (plt.subplots(2, 2)[1][0]?.[0] as plt.Axes);
    ax.setXlim(lim[0], lim[1]);
    ax.setYlim(lim[0], lim[1]);
    const svg = plt.gcf().toSVG();
    for (const [which, ticks, labels, offset] of [
      ['x', xt, xl, xo],
      ['y', yt, yl, yo],
    ] as const) {
      const got = axisOf(svg, which);
      expect(got.labels).toEqual(labels);
      expect(got.offset).toBe(offset);
      expect(got.ticks).toHaveLength(ticks.length);
      got.ticks.forEach((t, i) => {
        expect(t).toBeCloseTo(ticks[i] as number, 12);
      });
    }
  });
});

describe('locator and formatter', () => {
  test('MaxNLocator steps of 1, 2, 2.5, 5, 10', () => {
    expect(maxNLocator(-0.5, 10.5, 9)).toEqual([-2, 0, 2, 4, 6, 8, 10, 12]);
    expect(maxNLocator(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
  });

  test('nonsingular widens an empty interval', () => {
    expect(nonsingular(1, 1, 0.05)).toEqual([0.95, 1.05]);
    expect(nonsingular(0, 0, 0.05)).toEqual([-0.05, 0.05]);
    expect(nonsingular(3, 2)).toEqual([2, 3]);
  });

  test('shared decimals and the unicode minus', () => {
    expect(formatTicks([-0.5, 0, 0.5, 1], -0.5, 1).labels.map((l) => l.text)).toEqual([
      `${M}0.5`,
      '0.0',
      '0.5',
      '1.0',
    ]);
  });

  test('log axes tick every decade and label it 10^k', () => {
    const { major, minor } = logTicks(1e-3, 1, 9);
    expect(major.filter((t) => t >= 1e-3 && t <= 1)).toEqual([1e-3, 1e-2, 1e-1, 1]);
    expect(minor).toContain(2e-3);
    plt.figure();
    plt.semilogy([1, 2, 3], [1, 0.1, 0.001]);
    const labels = Array.from(parseSvg(plt.gcf().toSVG()).querySelectorAll('.yaxis .tick-label')).map(
      (t) => t.textContent,
    );
    expect(labels).toEqual([`10${M}3`, `10${M}2`, `10${M}1`, '100']);
  });
});
