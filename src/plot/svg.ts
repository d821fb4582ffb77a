/**
 * @file A few helpers to write SVG text: numbers rounded for size, escaped text, elements from attribute objects.
 */

/**
 * A coordinate rounded to 1/100 px, without trailing zeros.
 * @example num(1.23456) // '1.23'
 */
export function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

/**
 * Escapes text for SVG/XML content and attribute values.
 * @example escapeXml('a < b & "c"') // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/**
 * Attribute values; `undefined` and `null` attributes are left out, numbers go through `num`.
 * @example const a: Attrs = { x: 1.234, fill: 'none', stroke: undefined }; // stroke is left out
 */
export type Attrs = Readonly<Record<string, string | number | undefined | null>>;

/**
 * One SVG element as text; with no children it is self-closing.
 * @example el('rect', { x: 0, y: 0, width: 10 }) // '<rect x="0" y="0" width="10"/>'
 */
export function el(name: string, attrs: Attrs, children?: string): string {
  let s = `<${name}`;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    s += ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  }
  return children === undefined ? `${s}/>` : `${s}>${children}</${name}>`;
}

/**
 * A polyline path `M x0 y0 L x1 y1 ...` in pixels, broken where a point is not finite (as matplotlib skips
 * NaN). Runs of 128 points or more are simplified as matplotlib's `path.simplify` does: points that stray
 * less than 1/9 px from the current direction are merged, so a million-point curve draws as a few thousand.
 * @example polyline([0, 1], [0, 2]) // 'M0 0L1 2'
 */
export function polyline(xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  let d = '';
  let run: number[] = [];
  const flush = () => {
    const pts = run.length >= 256 ? simplify(run) : run;
    for (let i = 0; i < pts.length; i += 2)
      d += `${i === 0 ? 'M' : 'L'}${num(pts[i] as number)} ${num(pts[i + 1] as number)}`;
    run = [];
  };
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (Number.isFinite(x) && Number.isFinite(y)) run.push(x, y);
    else flush();
  }
  flush();
  return d;
}

const TOLERANCE = 1 / 9; // matplotlib's rcParams['path.simplify_threshold'], in pixels

/** Merges nearly collinear points of a flat [x0, y0, x1, y1, ...] run, keeping each segment's extremes. */
function simplify(p: number[]): number[] {
  const out: number[] = [p[0] as number, p[1] as number];
  let [ox, oy] = [p[0] as number, p[1] as number]; // origin of the current segment
  let dx = 0;
  let dy = 0; // its unit direction (0, 0 until a second distinct point)
  let fwd = 0;
  let back = 0; // farthest distances along the direction, forwards and backwards
  let [fx, fy, bx, by, lx, ly] = [ox, oy, ox, oy, ox, oy];
  const emit = (x: number, y: number) => {
    const n = out.length;
    if (out[n - 2] !== x || out[n - 1] !== y) out.push(x, y);
  };
  for (let i = 2; i < p.length; i += 2) {
    const x = p[i] as number;
    const y = p[i + 1] as number;
    const vx = x - ox;
    const vy = y - oy;
    if (dx === 0 && dy === 0) {
      const len = Math.hypot(vx, vy);
      if (len < TOLERANCE) {
        [lx, ly] = [x, y];
        continue;
      }
      [dx, dy, fwd, back, fx, fy, lx, ly] = [vx / len, vy / len, len, 0, x, y, x, y];
      continue;
    }
    const along = vx * dx + vy * dy;
    if (Math.abs(vx * dy - vy * dx) < TOLERANCE) {
      if (along > fwd) [fwd, fx, fy] = [along, x, y];
      else if (along < back) [back, bx, by] = [along, x, y];
      [lx, ly] = [x, y];
      continue;
    }
    emit(fx, fy);
    if (back < 0) emit(bx, by);
    emit(lx, ly);
    [ox, oy] = [lx, ly];
    const len = Math.hypot(x - ox, y - oy);
    [dx, dy, fwd, back, fx, fy, lx, ly] = [(x - ox) / len, (y - oy) / len, len, 0, x, y, x, y];
  }
  emit(fx, fy);
  if (back < 0) emit(bx, by);
  emit(lx, ly);
  return out;
}

/**
 * Snaps a coordinate to the pixel grid as matplotlib's Agg backend does, so thin lines stay crisp: odd stroke
 * widths land on pixel centres, even ones (and fills, width 0) on pixel edges.
 * @example snap(427.2, 1.11) // 427.5
 */
export function snap(v: number, strokePx: number): number {
  return Math.floor(v + 0.5) + (Math.round(strokePx) % 2 === 1 ? 0.5 : 0);
}
