/**
 * @file The legend box: matplotlib's paddings and spacings (in font sizes), rounded translucent frame, and the
 * 'best' location, the candidate spot that covers the fewest data points, lines and patches.
 */
import type { Artist, Box, Obstacles } from './artists.js';
import { el, escapeXml } from './svg.js';
import { ASCENT, DESCENT, textWidth } from './text.js';

/**
 * Where the legend goes, as matplotlib names the spots; `'best'` avoids the data.
 * @example plt.legend({ loc: 'upper left' });
 */
export type LegendLoc =
  | 'best'
  | 'upper right'
  | 'upper left'
  | 'lower left'
  | 'lower right'
  | 'right'
  | 'center left'
  | 'center right'
  | 'lower center'
  | 'upper center'
  | 'center';

/**
 * Legend options, named as matplotlib's keyword arguments.
 * @example plt.legend({ loc: 'upper left', ncols: 2, title: 'runs' });
 */
export interface LegendOptions {
  /** Location (default `'best'`). */
  loc?: LegendLoc;
  /** Font size in points (default 10). */
  fontsize?: number;
  /** Number of columns (default 1). */
  ncols?: number;
  /** Draw the frame (default true). */
  frameon?: boolean;
  /** Frame opacity (default 0.8). */
  framealpha?: number;
  /** A title above the entries. */
  title?: string;
}

// Matplotlib's rcParams['legend.*'], in units of the font size.
const BORDERPAD = 0.4;
const LABELSPACING = 0.5;
const HANDLELENGTH = 2;
const HANDLEHEIGHT = 0.7;
const HANDLETEXTPAD = 0.8;
const BORDERAXESPAD = 0.5;
const COLUMNSPACING = 2;

const CODES: readonly LegendLoc[] = [
  'upper right',
  'upper left',
  'lower left',
  'lower right',
  'right',
  'center left',
  'center right',
  'lower center',
  'upper center',
  'center',
];

/**
 * Draws the legend for `entries` inside the axes box `ax`, as SVG; `pt` is pixels per point.
 * @example drawLegend(lines, {}, { x: 80, y: 58, w: 496, h: 370 }, 100 / 72, obstacles)
 */
export function drawLegend(
  entries: readonly { artist: Artist; label: string }[],
  opts: LegendOptions,
  ax: Box,
  pt: number,
  obstacles: Obstacles,
): string {
  if (entries.length === 0) return '';
  const fs = (opts.fontsize ?? 10) * pt;
  const ncols = Math.max(1, Math.min(entries.length, Math.floor(opts.ncols ?? 1)));
  const rows = Math.ceil(entries.length / ncols);
  const rowH = (ASCENT + DESCENT) * fs;
  const keyW = HANDLELENGTH * fs;
  const colW: number[] = [];
  for (let c = 0; c < ncols; c++) {
    const labels = entries.slice(c * rows, (c + 1) * rows).map((e) => textWidth(e.label, fs));
    colW.push(keyW + HANDLETEXTPAD * fs + Math.max(0, ...labels));
  }
  const titleH = opts.title ? rowH + LABELSPACING * fs : 0;
  const innerW = Math.max(
    colW.reduce((a, b) => a + b, 0) + (ncols - 1) * COLUMNSPACING * fs,
    opts.title ? textWidth(opts.title, fs) : 0,
  );
  const w = innerW + 2 * BORDERPAD * fs;
  const h = titleH + rows * rowH + (rows - 1) * LABELSPACING * fs + 2 * BORDERPAD * fs;
  const loc = opts.loc ?? 'best';
  const at = loc === 'best' ? bestSpot(ax, w, h, fs, obstacles) : spot(loc, ax, w, h, fs);

  let out = '';
  if (opts.frameon ?? true) {
    const r = 0.2 * fs;
    out += el('rect', {
      class: 'legend-frame',
      x: at.x,
      y: at.y,
      width: w,
      height: h,
      rx: r,
      ry: r,
      fill: '#ffffff',
      'fill-opacity': opts.framealpha ?? 0.8,
      stroke: '#cccccc',
      'stroke-opacity': opts.framealpha ?? 0.8,
      'stroke-width': pt,
    });
  }
  const top = at.y + BORDERPAD * fs;
  if (opts.title)
    out += el(
      'text',
      {
        class: 'legend-title',
        x: at.x + w / 2,
        y: top + ASCENT * fs,
        'font-size': fs,
        'text-anchor': 'middle',
      },
      escapeXml(opts.title),
    );
  let x = at.x + BORDERPAD * fs;
  entries.forEach((e, i) => {
    const c = Math.floor(i / rows);
    const r = i % rows;
    if (r === 0 && c > 0) x += (colW[c - 1] as number) + COLUMNSPACING * fs;
    const baseline = top + titleH + r * (rowH + LABELSPACING * fs) + ASCENT * fs;
    const keyH = HANDLEHEIGHT * fs;
    const key = e.artist.legendKey(x, baseline - keyH / 2, keyW, keyH, pt);
    const label = el(
      'text',
      { x: x + keyW + HANDLETEXTPAD * fs, y: baseline, 'font-size': fs },
      escapeXml(e.label),
    );
    out += el('g', { class: 'legend-entry' }, key + label);
  });
  return el('g', { class: 'legend', 'data-loc': loc }, out);
}

function spot(loc: LegendLoc, ax: Box, w: number, h: number, fs: number): { x: number; y: number } {
  const pad = BORDERAXESPAD * fs;
  const left = ax.x + pad;
  const right = ax.x + ax.w - pad - w;
  const cx = ax.x + (ax.w - w) / 2;
  const top = ax.y + pad;
  const bottom = ax.y + ax.h - pad - h;
  const cy = ax.y + (ax.h - h) / 2;
  switch (loc) {
    case 'best':
    case 'upper right':
      return { x: right, y: top };
    case 'upper left':
      return { x: left, y: top };
    case 'lower left':
      return { x: left, y: bottom };
    case 'lower right':
      return { x: right, y: bottom };
    case 'right':
    case 'center right':
      return { x: right, y: cy };
    case 'center left':
      return { x: left, y: cy };
    case 'lower center':
      return { x: cx, y: bottom };
    case 'upper center':
      return { x: cx, y: top };
    case 'center':
      return { x: cx, y: cy };
    default:
      return loc satisfies never;
  }
}

function bestSpot(ax: Box, w: number, h: number, fs: number, obs: Obstacles): { x: number; y: number } {
  let best = { badness: Number.POSITIVE_INFINITY, at: spot('upper right', ax, w, h, fs) };
  for (const code of CODES) {
    const at = spot(code, ax, w, h, fs);
    const box = { x: at.x, y: at.y, w, h };
    let badness = 0;
    for (const [px, py] of obs.points) if (inside(box, px, py)) badness++;
    for (const b of obs.boxes) if (overlaps(box, b)) badness++;
    for (const [xs, ys] of obs.lines) if (crosses(box, xs, ys)) badness++;
    if (badness === 0) return at;
    if (badness < best.badness) best = { badness, at };
  }
  return best.at;
}

const inside = (b: Box, x: number, y: number) => x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h;
const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Whether a polyline passes through the box (Liang–Barsky clipping of each segment). */
function crosses(b: Box, xs: Float64Array, ys: Float64Array): boolean {
  for (let i = 1; i < xs.length; i++) {
    const x0 = xs[i - 1] as number;
    const y0 = ys[i - 1] as number;
    const dx = (xs[i] as number) - x0;
    const dy = (ys[i] as number) - y0;
    if (![x0, y0, dx, dy].every(Number.isFinite)) continue;
    let t0 = 0;
    let t1 = 1;
    const edges: [number, number][] = [
      [-dx, x0 - b.x],
      [dx, b.x + b.w - x0],
      [-dy, y0 - b.y],
      [dy, b.y + b.h - y0],
    ];
    let hit = true;
    for (const [p, q] of edges) {
      if (p === 0) {
        if (q < 0) hit = false;
      } else {
        const t = q / p;
        if (p < 0) t0 = Math.max(t0, t);
        else t1 = Math.min(t1, t);
      }
    }
    if (hit && t0 <= t1) return true;
  }
  return false;
}
