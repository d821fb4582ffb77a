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
 * A polyline path `M x0 y0 L x1 y1 ...`, broken where a point is not finite (as matplotlib skips NaN).
 * @example polyline([0, 1], [0, 2]) // 'M0 0L1 2'
 */
export function polyline(xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${num(x)} ${num(y)}`;
    pen = true;
  }
  return d;
}

/**
 * Snaps a coordinate to the pixel grid as matplotlib's Agg backend does, so thin lines stay crisp: odd stroke
 * widths land on pixel centres, even ones (and fills, width 0) on pixel edges.
 * @example snap(427.2, 1.11) // 427.5
 */
export function snap(v: number, strokePx: number): number {
  return Math.floor(v + 0.5) + (Math.round(strokePx) % 2 === 1 ? 0.5 : 0);
}
