/**
 * @file Colours as matplotlib reads them ('r', 'C1', 'tab:blue', '0.8', 'steelblue', '#ff000080', RGB tuples)
 * and colormaps ('viridis', 'gray', 'RdBu_r', ...), parsed with d3-color and d3-scale-chromatic.
 */
import { color as d3color, rgb as d3rgb } from 'd3-color';
import * as chromatic from 'd3-scale-chromatic';

/**
 * A colour: a name, a hex string, a grey level `'0.0'`–`'1.0'`, a cycle entry `'C0'`–`'C9'`, or RGB(A) in 0..1.
 * @example const c: Color = 'tab:orange'; const d: Color = [0.1, 0.2, 0.5];
 */
export type Color = string | readonly [number, number, number] | readonly [number, number, number, number];

/**
 * Red, green, blue and alpha, each in 0..1.
 * @example toRGBA('tab:blue') // { r: 0.122, g: 0.467, b: 0.706, a: 1 }
 */
export interface RGBA {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  readonly a: number;
}

/**
 * Matplotlib's default colour cycle (`tab10`), the colours `'C0'`–`'C9'` stand for.
 * @example TAB10[0] // '#1f77b4'
 */
export const TAB10: readonly string[] = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

const TAB_NAMES = ['blue', 'orange', 'green', 'red', 'purple', 'brown', 'pink', 'gray', 'olive', 'cyan'];

// Matplotlib's one-letter base colours, which differ from the CSS colours of the same name.
const BASE: Readonly<Record<string, readonly [number, number, number]>> = {
  b: [0, 0, 1],
  g: [0, 0.5, 0],
  r: [1, 0, 0],
  c: [0, 0.75, 0.75],
  m: [0.75, 0, 0.75],
  y: [0.75, 0.75, 0],
  k: [0, 0, 0],
  w: [1, 1, 1],
};

/**
 * Parses a colour as matplotlib does; `alpha` (when given) replaces the colour's own alpha.
 * @example toRGBA('r') // { r: 1, g: 0, b: 0, a: 1 }
 */
export function toRGBA(c: Color, alpha?: number): RGBA {
  const out = parse(c);
  return alpha === undefined ? out : { ...out, a: alpha };
}

function parse(c: Color): RGBA {
  if (typeof c !== 'string') {
    const [r, g, b, a = 1] = c;
    if ([r, g, b, a].some((v) => !(v >= 0 && v <= 1)))
      throw new Error(`RGBA values should be within 0-1 range, but got [${c.join(', ')}]`);
    return { r, g, b, a };
  }
  const s = c.trim();
  const base = BASE[s];
  if (base) return { r: base[0], g: base[1], b: base[2], a: 1 };
  const cycle = /^C(\d)$/.exec(s);
  if (cycle) return parse(TAB10[Number(cycle[1])] as string);
  if (s.startsWith('tab:')) {
    const i = TAB_NAMES.indexOf(s.slice(4) === 'grey' ? 'gray' : s.slice(4));
    if (i >= 0) return parse(TAB10[i] as string);
  }
  if (/^\d*\.?\d+$/.test(s)) {
    const v = Number(s);
    if (v >= 0 && v <= 1) return { r: v, g: v, b: v, a: 1 };
  }
  const parsed = s === 'none' ? null : d3color(s.replace(/grey/g, 'gray'));
  if (parsed) {
    const { r, g, b, opacity } = parsed.rgb();
    return { r: r / 255, g: g / 255, b: b / 255, a: opacity };
  }
  if (s.toLowerCase() === 'none') return { r: 0, g: 0, b: 0, a: 0 };
  throw new Error(
    `'${s}' is not a valid color value: use a name ('red', 'tab:blue'), 'C0'..'C9', hex or RGB(A)`,
  );
}

/**
 * The colour as `#rrggbb` (alpha is written separately, as SVG opacity).
 * @example hex(toRGBA('tab:blue')) // '#1f77b4'
 */
export function hex(c: RGBA): string {
  const h = (v: number) =>
    Math.round(Math.max(0, Math.min(1, v)) * 255)
      .toString(16)
      .padStart(2, '0');
  return `#${h(c.r)}${h(c.g)}${h(c.b)}`;
}

/**
 * A colormap: maps 0..1 to a colour; values outside clamp to the ends.
 * @example const cmap: Colormap = colormap('viridis'); hex(cmap(1)) // '#fde725'
 */
export type Colormap = (t: number) => RGBA;

/** Piecewise-linear segment data, as in matplotlib's `_cm.py`, for maps d3 does not have. */
type Segments = readonly (readonly [number, number])[];
const piecewise = (s: Segments) => (t: number) => {
  for (let i = 1; i < s.length; i++) {
    const [x1, y1] = s[i] as readonly [number, number];
    const [x0, y0] = s[i - 1] as readonly [number, number];
    if (t <= x1) return x1 === x0 ? y1 : y0 + ((t - x0) / (x1 - x0)) * (y1 - y0);
  }
  return (s[s.length - 1] as readonly [number, number])[1];
};
const fromChannels =
  (r: (t: number) => number, g: (t: number) => number, b: (t: number) => number) =>
  (t: number): string =>
    d3rgb(r(t) * 255, g(t) * 255, b(t) * 255).formatHex();

const EXTRA: Readonly<Record<string, (t: number) => string>> = {
  gray: fromChannels(
    (t) => t,
    (t) => t,
    (t) => t,
  ),
  binary: fromChannels(
    (t) => 1 - t,
    (t) => 1 - t,
    (t) => 1 - t,
  ),
  hot: fromChannels(
    piecewise([
      [0, 0.0416],
      [0.365079, 1],
      [1, 1],
    ]),
    piecewise([
      [0, 0],
      [0.365079, 0],
      [0.746032, 1],
      [1, 1],
    ]),
    piecewise([
      [0, 0],
      [0.746032, 0],
      [1, 1],
    ]),
  ),
  jet: fromChannels(
    piecewise([
      [0, 0],
      [0.35, 0],
      [0.66, 1],
      [0.89, 1],
      [1, 0.5],
    ]),
    piecewise([
      [0, 0],
      [0.125, 0],
      [0.375, 1],
      [0.64, 1],
      [0.91, 0],
      [1, 0],
    ]),
    piecewise([
      [0, 0.5],
      [0.11, 1],
      [0.34, 1],
      [0.65, 0],
      [1, 0],
    ]),
  ),
};

const lutCache = new Map<string, Colormap>();

/**
 * Looks up a colormap by matplotlib's name (`'viridis'`, `'plasma'`, `'gray'`, `'Blues'`, `'RdBu'`, ...; a `_r`
 * suffix reverses it), sampled into 256 entries as matplotlib does.
 * @example colormap('viridis')(0) // { r: 0.267, g: 0.005, b: 0.329, a: 1 }
 */
export function colormap(name: string): Colormap {
  const cached = lutCache.get(name);
  if (cached) return cached;
  const reversed = name.endsWith('_r');
  const base = reversed ? name.slice(0, -2) : name;
  const key = `interpolate${base[0]?.toUpperCase() ?? ''}${base.slice(1)}`;
  const fn =
    EXTRA[base] ?? (chromatic as unknown as Record<string, ((t: number) => string) | undefined>)[key];
  if (typeof fn !== 'function')
    throw new Error(
      `'${name}' is not a known colormap: try 'viridis', 'plasma', 'gray', 'Blues', 'RdBu' or 'jet'`,
    );
  const lut: RGBA[] = [];
  for (let i = 0; i < 256; i++) lut.push(parse(fn(reversed ? 1 - i / 255 : i / 255)));
  const map: Colormap = (t) =>
    lut[Number.isNaN(t) ? 0 : Math.max(0, Math.min(255, Math.floor(t * 256)))] as RGBA;
  lutCache.set(name, map);
  return map;
}
