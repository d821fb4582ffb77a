/**
 * @file Line and marker styles: matplotlib's format strings (`'r-'`, `'bo'`, `'g--'`), dash patterns and marker
 * shapes, with the geometry of matplotlib's `markers.py`.
 */

/**
 * A line style: `'-'` solid, `'--'` dashed, `'-.'` dash-dot, `':'` dotted, or none.
 * @example plt.plot(x, y, { linestyle: '--' });
 */
export type LineStyle =
  | '-'
  | '--'
  | '-.'
  | ':'
  | 'solid'
  | 'dashed'
  | 'dashdot'
  | 'dotted'
  | 'None'
  | 'none'
  | '';

/**
 * A marker: `'o'` circle, `'.'` point, `','` pixel, `'s'` square, `'^' 'v' '<' '>'` triangles, `'D' 'd'`
 * diamonds, `'p'` pentagon, `'h' 'H'` hexagons, `'8'` octagon, `'*'` star, `'+' 'x' 'P' 'X'` crosses, `'|' '_'`.
 * @example plt.plot(x, y, { marker: 's' });
 */
export type Marker =
  | 'o'
  | '.'
  | ','
  | 's'
  | '^'
  | 'v'
  | '<'
  | '>'
  | 'D'
  | 'd'
  | 'p'
  | 'h'
  | 'H'
  | '8'
  | '*'
  | '+'
  | 'x'
  | 'P'
  | 'X'
  | '|'
  | '_'
  | 'None'
  | 'none'
  | '';

/**
 * What a format string asks for; absent fields keep their defaults.
 * @example const spec: FormatSpec = parseFmt('r--'); // { color: 'r', linestyle: '--' }
 */
export interface FormatSpec {
  color?: string;
  marker?: Marker;
  linestyle?: LineStyle;
}

const MARKERS = new Set<string>(['o', '.', ',', 's', '^', 'v', '<', '>', 'D', 'd', 'p', 'h', 'H', '8', '*']);
const LINE_MARKERS = new Set<string>(['+', 'x', 'P', 'X', '|', '_']);
const COLOR_LETTERS = new Set<string>(['b', 'g', 'r', 'c', 'm', 'y', 'k', 'w']);

/**
 * Parses a matplotlib format string `[marker][line][color]` in any order (`'ro'`, `'g--'`, `'k:'`, `'C2.-'`).
 * A marker alone means no line, as in matplotlib.
 * @example parseFmt('bo') // { color: 'b', marker: 'o', linestyle: 'None' }
 */
export function parseFmt(fmt: string): FormatSpec {
  const out: FormatSpec = {};
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`'${fmt}' is not a valid format string (${why})`);
  };
  while (i < fmt.length) {
    const two = fmt.slice(i, i + 2);
    const ch = fmt[i] as string;
    if (two === '--' || two === '-.') {
      if (out.linestyle) fail('two linestyle symbols');
      out.linestyle = two;
      i += 2;
    } else if (ch === '-' || ch === ':') {
      if (out.linestyle) fail('two linestyle symbols');
      out.linestyle = ch;
      i += 1;
    } else if (ch === 'C' && /\d/.test(fmt[i + 1] ?? '')) {
      if (out.color) fail('two color symbols');
      out.color = two;
      i += 2;
    } else if (COLOR_LETTERS.has(ch)) {
      if (out.color) fail('two color symbols');
      out.color = ch;
      i += 1;
    } else if (MARKERS.has(ch) || LINE_MARKERS.has(ch)) {
      if (out.marker) fail('two marker symbols');
      out.marker = ch as Marker;
      i += 1;
    } else fail(`unrecognized character '${ch}'`);
  }
  if (out.marker && !out.linestyle) out.linestyle = 'None';
  return out;
}

/**
 * Normalises a line style to one of `'-' '--' '-.' ':'`, or `null` for no line.
 * @example lineStyle('dashed') // '--'
 */
export function lineStyle(ls: LineStyle | undefined): '-' | '--' | '-.' | ':' | null {
  switch (ls) {
    case undefined:
    case '-':
    case 'solid':
      return '-';
    case '--':
    case 'dashed':
      return '--';
    case '-.':
    case 'dashdot':
      return '-.';
    case ':':
    case 'dotted':
      return ':';
    case 'None':
    case 'none':
    case '':
      return null;
    default:
      return ls satisfies never;
  }
}

/**
 * SVG `stroke-dasharray` for a line style and width, scaled by the width as matplotlib's `lines.scale_dashes`.
 * @example dashArray('--', 2) // [7.4, 3.2]
 */
export function dashArray(ls: '-' | '--' | '-.' | ':', widthPx: number): number[] | null {
  const pattern = { '-': null, '--': [3.7, 1.6], '-.': [6.4, 1.6, 1, 1.6], ':': [1, 1.65] }[ls];
  return pattern ? pattern.map((v) => v * widthPx) : null;
}

/**
 * A marker's outline centred on 0 in pixels (y down), and whether matplotlib fills it.
 * @example markerShape('o', 8)?.filled // true
 */
export interface MarkerShape {
  readonly d: string;
  readonly filled: boolean;
}

type Pt = readonly [number, number];

const polygon = (n: number, rotateDeg = 0, inner?: number): Pt[] => {
  const count = inner === undefined ? n : 2 * n;
  const pts: Pt[] = [];
  for (let i = 0; i < count; i++) {
    const theta = (2 * Math.PI * i) / count + Math.PI / 2 + (rotateDeg * Math.PI) / 180;
    const r = inner !== undefined && i % 2 === 1 ? inner : 1;
    pts.push([r * Math.cos(theta), r * Math.sin(theta)]);
  }
  return pts;
};
const PLUS_FILLED: Pt[] = (
  [
    [-1, -3],
    [1, -3],
    [1, -1],
    [3, -1],
    [3, 1],
    [1, 1],
    [1, 3],
    [-1, 3],
    [-3, 1],
    [-3, -1],
    [-1, -1],
  ] as const
).map(([x, y]) => [x / 3, y / 3] as const);
const rotate = (pts: Pt[], deg: number): Pt[] => {
  const c = Math.cos((deg * Math.PI) / 180);
  const s = Math.sin((deg * Math.PI) / 180);
  return pts.map(([x, y]) => [x * c - y * s, x * s + y * c] as const);
};

// Outlines in matplotlib's unit frame (y up), each point scaled by half the marker size.
const SHAPES: Readonly<Record<string, () => Pt[]>> = {
  '^': () => [
    [0, 1],
    [-1, -1],
    [1, -1],
  ],
  v: () => rotate(SHAPES['^']?.() ?? [], 180),
  '<': () => rotate(SHAPES['^']?.() ?? [], 90),
  '>': () => rotate(SHAPES['^']?.() ?? [], 270),
  s: () => [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ],
  D: () => [
    [0, -Math.SQRT2],
    [Math.SQRT2, 0],
    [0, Math.SQRT2],
    [-Math.SQRT2, 0],
  ],
  d: () => (SHAPES.D?.() ?? []).map(([x, y]) => [x * 0.6, y] as const),
  p: () => polygon(5),
  h: () => polygon(6),
  H: () => polygon(6, 30),
  '8': () => polygon(8, 22.5),
  '*': () => polygon(5, 0, 0.381966),
  P: () => PLUS_FILLED,
  X: () => rotate(PLUS_FILLED, 45),
};

const f = (v: number) => String(Math.round(v * 1000) / 1000);

/**
 * The outline of a marker of `sizePx` (matplotlib's `markersize`, the width of a circle) centred at the origin.
 * @example markerShape('s', 8).d // 'M-4 4L4 4L4 -4L-4 -4Z'
 */
export function markerShape(marker: Marker, sizePx: number): MarkerShape | null {
  const h = sizePx / 2;
  switch (marker) {
    case 'None':
    case 'none':
    case '':
      return null;
    case 'o':
    case '.': {
      const r = marker === '.' ? h / 2 : h;
      return {
        d: `M${f(-r)} 0A${f(r)} ${f(r)} 0 1 0 ${f(r)} 0A${f(r)} ${f(r)} 0 1 0 ${f(-r)} 0Z`,
        filled: true,
      };
    }
    case ',':
      return { d: 'M-0.5 -0.5H0.5V0.5H-0.5Z', filled: true };
    case '+':
      return { d: `M${f(-h)} 0H${f(h)}M0 ${f(-h)}V${f(h)}`, filled: false };
    case 'x':
      return { d: `M${f(-h)} ${f(-h)}L${f(h)} ${f(h)}M${f(-h)} ${f(h)}L${f(h)} ${f(-h)}`, filled: false };
    case '|':
      return { d: `M0 ${f(-h)}V${f(h)}`, filled: false };
    case '_':
      return { d: `M${f(-h)} 0H${f(h)}`, filled: false };
    default: {
      const pts = (SHAPES[marker] as () => Pt[])();
      const d = pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${f(x * h)} ${f(-y * h)}`).join('');
      return { d: `${d}Z`, filled: true };
    }
  }
}
