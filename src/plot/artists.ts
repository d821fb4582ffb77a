/**
 * @file What an Axes draws: lines with markers (`plot`), marker collections (`scatter`), rectangles (`bar`,
 * `hist`), filled polygons (`fill_between`, step histograms) and images (`imshow`), each as SVG.
 */
import { encode } from 'fast-png';
import { type Colormap, hex, type RGBA } from './colors.js';
import type { Grid } from './data.js';
import { finiteRange } from './data.js';
import { dashArray, type Marker, markerShape } from './style.js';
import { el, num, polyline, snap } from './svg.js';

/**
 * A rectangle in pixels, origin at the top left of the figure.
 * @example const b: Box = { x: 80, y: 57.6, w: 496, h: 369.6 };
 */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * Where an Axes is on the page: data → pixel maps, the plotting box, pixels per point, and fresh SVG ids.
 * @example const f: Frame = { x: (v) => 80 + v * 496, y: (v) => 427.2 - v * 369.6, box, pt: 100 / 72, id: (p) => p };
 */
export interface Frame {
  readonly x: (v: number) => number;
  readonly y: (v: number) => number;
  readonly box: Box;
  readonly pt: number;
  readonly id: (prefix: string) => string;
}

/**
 * Data extent of an artist; sticky values stop autoscale margins (bars stand on 0, images end at their edge).
 * @example const e: Extent = { x: [0, 3], y: [0, 7], stickyY: [0] }; // bars from 0 to 7
 */
export interface Extent {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  readonly stickyX?: readonly number[];
  readonly stickyY?: readonly number[];
}

/**
 * What the legend's 'best' placement must avoid, in pixels: vertices, drawn polylines, and patches.
 * @example const o: Obstacles = { points: [], lines: [], boxes: [] }; artist.obstacles(frame, o);
 */
export interface Obstacles {
  readonly points: [number, number][];
  readonly lines: [Float64Array, Float64Array][];
  readonly boxes: Box[];
}

/**
 * Something drawn in an Axes.
 * @example for (const a of ax.children) svg += a.draw(frame);
 */
export interface Artist {
  readonly label: string | undefined;
  readonly zorder: number;
  /** Finite data extent (positive values only on log axes), or null when there is nothing to show. */
  extent(logX: boolean, logY: boolean): Extent | null;
  draw(f: Frame): string;
  /** The legend key, drawn in a box whose left edge is `x`, vertical middle `y`, of width `w`, height `h`. */
  legendKey(x: number, y: number, w: number, h: number, pt: number): string;
  obstacles(f: Frame, into: Obstacles): void;
}

const opacity = (c: RGBA) => (c.a < 1 ? c.a : undefined);
const paint = (c: RGBA | null) => (c && c.a > 0 ? hex(c) : 'none');

function rangeOf(v: Float64Array, log: boolean): readonly [number, number] | null {
  const [lo, hi] = finiteRange(v, log);
  return lo <= hi ? [lo, hi] : null;
}

function extentOf(xs: Float64Array, ys: Float64Array, logX: boolean, logY: boolean): Extent | null {
  // Only points finite on both axes count, as matplotlib ignores a point with a NaN coordinate.
  const keep: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (Number.isFinite(x) && Number.isFinite(y) && (!logX || x > 0) && (!logY || y > 0)) keep.push(i);
  }
  if (keep.length === 0) return null;
  const x = rangeOf(
    Float64Array.from(keep, (i) => xs[i] as number),
    false,
  );
  const y = rangeOf(
    Float64Array.from(keep, (i) => ys[i] as number),
    false,
  );
  return x && y ? { x, y } : null;
}

/** Maps data to pixels, clamping far-away points so renderers are not fed huge numbers. */
function project(f: Frame, xs: Float64Array, ys: Float64Array): [Float64Array, Float64Array] {
  const px = new Float64Array(xs.length);
  const py = new Float64Array(ys.length);
  const clamp = (v: number) => (Number.isFinite(v) ? Math.max(-1e6, Math.min(1e6, v)) : Number.NaN);
  for (let i = 0; i < xs.length; i++) {
    px[i] = clamp(f.x(xs[i] as number));
    py[i] = clamp(f.y(ys[i] as number));
  }
  return [px, py];
}

/**
 * Marker look: face and edge colours (null for none), edge width in points.
 * @example const m: MarkerStyle = { marker: 'o', sizePt: 6, face: toRGBA('C0'), edge: toRGBA('C0'), edgeWidthPt: 1 };
 */
export interface MarkerStyle {
  readonly marker: Marker;
  readonly sizePt: number;
  readonly face: RGBA | null;
  readonly edge: RGBA | null;
  readonly edgeWidthPt: number;
}

function markerAttrs(m: MarkerStyle, pt: number, filled: boolean) {
  const face = filled ? m.face : null;
  const edge = filled ? m.edge : (m.edge ?? m.face);
  return {
    fill: paint(face),
    'fill-opacity': face ? opacity(face) : undefined,
    stroke: paint(edge),
    'stroke-opacity': edge ? opacity(edge) : undefined,
    'stroke-width': edge ? m.edgeWidthPt * pt : undefined,
  };
}

function markerUses(f: Frame, m: MarkerStyle, px: Float64Array, py: Float64Array, cls: string): string {
  const shape = markerShape(m.marker, m.sizePt * f.pt);
  if (!shape) return '';
  const id = f.id('marker');
  let uses = '';
  for (let i = 0; i < px.length; i++) {
    const x = px[i] as number;
    const y = py[i] as number;
    if (Number.isFinite(x) && Number.isFinite(y)) uses += el('use', { 'xlink:href': `#${id}`, x, y });
  }
  const def = el('defs', {}, el('path', { id, d: shape.d }));
  return def + el('g', { class: cls, ...markerAttrs(m, f.pt, shape.filled) }, uses);
}

/**
 * A `plot` line: data points joined by a styled line, with optional markers.
 * @example const [line] = plt.plot([1, 2, 3]); line.ys // Float64Array [1, 2, 3]
 */
export class Line2D implements Artist {
  readonly zorder = 2;
  constructor(
    readonly xs: Float64Array,
    readonly ys: Float64Array,
    readonly style: {
      readonly color: RGBA;
      readonly widthPt: number;
      readonly linestyle: '-' | '--' | '-.' | ':' | null;
      readonly marker: MarkerStyle | null;
    },
    readonly label: string | undefined,
  ) {}

  extent(logX: boolean, logY: boolean): Extent | null {
    return extentOf(this.xs, this.ys, logX, logY);
  }

  private lineAttrs(pt: number) {
    const { color, widthPt, linestyle } = this.style;
    const w = widthPt * pt;
    const dashes = linestyle ? dashArray(linestyle, w) : null;
    return {
      fill: 'none',
      stroke: hex(color),
      'stroke-opacity': opacity(color),
      'stroke-width': w,
      'stroke-dasharray': dashes ? dashes.map(num).join(' ') : undefined,
      'stroke-linecap': dashes ? 'butt' : 'square',
      'stroke-linejoin': 'round',
    };
  }

  draw(f: Frame): string {
    const [px, py] = project(f, this.xs, this.ys);
    let out = '';
    if (this.style.linestyle)
      out += el('path', { class: 'line', d: polyline(px, py), ...this.lineAttrs(f.pt) });
    if (this.style.marker) out += markerUses(f, this.style.marker, px, py, 'markers');
    return el('g', { class: 'line2d', 'data-label': this.label }, out);
  }

  legendKey(x: number, y: number, w: number, _h: number, pt: number): string {
    let out = '';
    if (this.style.linestyle)
      out += el('path', { d: `M${num(x)} ${num(y)}H${num(x + w)}`, ...this.lineAttrs(pt) });
    const m = this.style.marker;
    const shape = m && markerShape(m.marker, m.sizePt * pt);
    if (m && shape)
      out += el('path', {
        d: shape.d,
        transform: `translate(${num(x + w / 2)} ${num(y)})`,
        ...markerAttrs(m, pt, shape.filled),
      });
    return out;
  }

  obstacles(f: Frame, into: Obstacles): void {
    const [px, py] = project(f, this.xs, this.ys);
    for (let i = 0; i < px.length; i++) into.points.push([px[i] as number, py[i] as number]);
    if (this.style.linestyle) into.lines.push([px, py]);
  }
}

/**
 * A `scatter` collection: one marker per point, each with its own size (in points²) and colour.
 * @example const dots = plt.scatter([1, 2], [3, 4]); dots.xs // Float64Array [1, 2]
 */
export class PathCollection implements Artist {
  readonly zorder = 1;
  constructor(
    readonly xs: Float64Array,
    readonly ys: Float64Array,
    readonly sizes: Float64Array,
    readonly faces: readonly RGBA[],
    readonly style: { readonly marker: Marker; readonly edge: RGBA | 'face'; readonly edgeWidthPt: number },
    readonly label: string | undefined,
  ) {}

  extent(logX: boolean, logY: boolean): Extent | null {
    return extentOf(this.xs, this.ys, logX, logY);
  }

  private styleAt(i: number): MarkerStyle {
    const face = this.faces[i % this.faces.length] as RGBA;
    return {
      marker: this.style.marker,
      sizePt: Math.sqrt(this.sizes[i % this.sizes.length] as number),
      face,
      edge: this.style.edge === 'face' ? face : this.style.edge,
      edgeWidthPt: this.style.edgeWidthPt,
    };
  }

  draw(f: Frame): string {
    const [px, py] = project(f, this.xs, this.ys);
    if (this.faces.length === 1 && this.sizes.length === 1)
      return el(
        'g',
        { class: 'collection', 'data-label': this.label },
        markerUses(f, this.styleAt(0), px, py, 'markers'),
      );
    let out = '';
    for (let i = 0; i < px.length; i++) {
      const x = px[i] as number;
      const y = py[i] as number;
      const m = this.styleAt(i);
      const shape = markerShape(m.marker, m.sizePt * f.pt);
      if (!shape || !Number.isFinite(x) || !Number.isFinite(y)) continue;
      out += el('path', {
        d: shape.d,
        transform: `translate(${num(x)} ${num(y)})`,
        ...markerAttrs(m, f.pt, shape.filled),
      });
    }
    return el('g', { class: 'collection', 'data-label': this.label }, el('g', { class: 'markers' }, out));
  }

  legendKey(x: number, y: number, w: number, h: number, pt: number): string {
    const m = this.styleAt(0);
    const shape = markerShape(m.marker, m.sizePt * pt);
    if (!shape) return '';
    // Matplotlib puts a single scatter key at 3/8 of the key's height.
    return el('path', {
      d: shape.d,
      transform: `translate(${num(x + w / 2)} ${num(y + h / 2 - 0.375 * h)})`,
      ...markerAttrs(m, pt, shape.filled),
    });
  }

  obstacles(f: Frame, into: Obstacles): void {
    const [px, py] = project(f, this.xs, this.ys);
    for (let i = 0; i < px.length; i++) into.points.push([px[i] as number, py[i] as number]);
  }
}

/**
 * Fill and edge of a patch (bar, histogram bin, polygon).
 * @example const s: PatchStyle = { face: toRGBA('C0'), edge: null, edgeWidthPt: 1 };
 */
export interface PatchStyle {
  readonly face: RGBA | null;
  readonly edge: RGBA | null;
  readonly edgeWidthPt: number;
}

function patchAttrs(s: PatchStyle, pt: number) {
  return {
    fill: paint(s.face),
    'fill-opacity': s.face ? opacity(s.face) : undefined,
    stroke: paint(s.edge),
    'stroke-opacity': s.edge ? opacity(s.edge) : undefined,
    'stroke-width': s.edge ? s.edgeWidthPt * pt : undefined,
  };
}

/**
 * Rectangles from `bar` and `hist`: `[x0, x1, y0, y1]` in data coordinates, sharing one label.
 * @example const bars = plt.bar(['a', 'b'], [3, 4]); bars.rects.length // 2
 */
export class BarContainer implements Artist {
  readonly zorder = 1;
  constructor(
    readonly rects: readonly (readonly [number, number, number, number])[],
    readonly styles: readonly PatchStyle[],
    readonly sticky: { readonly x: readonly number[]; readonly y: readonly number[] },
    readonly label: string | undefined,
  ) {}

  extent(logX: boolean, logY: boolean): Extent | null {
    const xs = Float64Array.from(this.rects.flatMap((r) => [r[0], r[1]]));
    const ys = Float64Array.from(this.rects.flatMap((r) => [r[2], r[3]]));
    const x = rangeOf(xs, logX);
    const y = rangeOf(ys, logY);
    return x && y ? { x, y, stickyX: this.sticky.x, stickyY: this.sticky.y } : null;
  }

  private pixelRects(f: Frame) {
    return this.rects.map(([x0, x1, y0, y1]) => {
      const [a, b] = [f.x(x0), f.x(x1)].sort((p, q) => p - q) as [number, number];
      const [c, d] = [f.y(y1), f.y(y0)].sort((p, q) => p - q) as [number, number];
      return { x: a, y: c, w: b - a, h: d - c };
    });
  }

  draw(f: Frame): string {
    let out = '';
    this.pixelRects(f).forEach((r, i) => {
      const s = this.styles[i % this.styles.length] as PatchStyle;
      const sw = s.edge ? s.edgeWidthPt * f.pt : 0;
      if (![r.x, r.y, r.w, r.h].every(Number.isFinite)) return;
      // Snap edges to the pixel grid (as Agg does for rectangles) so touching bars leave no hairline gap.
      const x0 = snap(r.x, sw);
      const x1 = snap(r.x + r.w, sw);
      const y0 = snap(r.y, sw);
      const y1 = snap(r.y + r.h, sw);
      out += el('rect', {
        class: 'bar',
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
        ...patchAttrs(s, f.pt),
      });
    });
    return el('g', { class: 'patches', 'data-label': this.label }, out);
  }

  legendKey(x: number, y: number, w: number, h: number, pt: number): string {
    const s = this.styles[0] as PatchStyle;
    return el('rect', { x, y: y - h / 2, width: w, height: h, ...patchAttrs(s, pt) });
  }

  obstacles(f: Frame, into: Obstacles): void {
    into.boxes.push(...this.pixelRects(f));
  }
}

/**
 * A polygon in data coordinates (step histograms, `fill_between`), closed and filled or open.
 * @example const band = plt.fillBetween([0, 1], [0, 1], [1, 2]); band.closed // true
 */
export class Polygon implements Artist {
  readonly zorder = 1;
  constructor(
    readonly xs: Float64Array,
    readonly ys: Float64Array,
    readonly closed: boolean,
    readonly style: PatchStyle,
    readonly sticky: { readonly x: readonly number[]; readonly y: readonly number[] },
    readonly label: string | undefined,
  ) {}

  extent(logX: boolean, logY: boolean): Extent | null {
    const e = extentOf(this.xs, this.ys, logX, logY);
    return e && { ...e, stickyX: this.sticky.x, stickyY: this.sticky.y };
  }

  draw(f: Frame): string {
    const [px, py] = project(f, this.xs, this.ys);
    const d = polyline(px, py) + (this.closed ? 'Z' : '');
    return el('path', {
      class: 'polygon',
      'data-label': this.label,
      d,
      'stroke-linejoin': 'miter',
      ...patchAttrs(this.closed ? this.style : { ...this.style, face: null }, f.pt),
    });
  }

  legendKey(x: number, y: number, w: number, h: number, pt: number): string {
    return el('rect', { x, y: y - h / 2, width: w, height: h, ...patchAttrs(this.style, pt) });
  }

  obstacles(f: Frame, into: Obstacles): void {
    const [px, py] = project(f, this.xs, this.ys);
    for (let i = 0; i < px.length; i++) into.points.push([px[i] as number, py[i] as number]);
  }
}

/**
 * Colour scaling of an image or scatter: values from `vmin` to `vmax` through a colormap.
 * @example const im = plt.imshow([[0, 1]]); [im.vmin, im.vmax] // [0, 1]
 */
export interface ScalarMappable {
  readonly cmap: Colormap;
  readonly cmapName: string;
  readonly vmin: number;
  readonly vmax: number;
}

/**
 * An `imshow` image: a grid of values (mapped through a colormap) or RGB(A) colours, stretched over `extent`.
 * @example const im = plt.imshow([[0, 1], [2, 3]], { cmap: 'gray' }); im.cmapName // 'gray'
 */
export class AxesImage implements Artist, ScalarMappable {
  readonly zorder = 0;
  readonly label: undefined = undefined;
  constructor(
    readonly grid: Grid,
    readonly cmap: Colormap,
    readonly cmapName: string,
    readonly vmin: number,
    readonly vmax: number,
    /** [left, right, bottom, top] in data coordinates. */
    readonly extentLRBT: readonly [number, number, number, number],
    readonly origin: 'upper' | 'lower',
    readonly interpolation: 'nearest' | 'bilinear' | 'antialiased',
    readonly alpha: number,
  ) {}

  extent(): Extent {
    const [l, r, b, t] = this.extentLRBT;
    const x = [Math.min(l, r), Math.max(l, r)] as const;
    const y = [Math.min(b, t), Math.max(b, t)] as const;
    return { x, y, stickyX: x, stickyY: y };
  }

  /** The image as RGBA bytes, row 0 at the top of the picture. */
  rgba(): Uint8Array {
    const { rows, cols, channels, values } = this.grid;
    const out = new Uint8Array(rows * cols * 4);
    const span = this.vmax - this.vmin || 1;
    // Colour data with any value above 1 is read as 0..255 bytes, as matplotlib does for integer arrays.
    const bytes = channels > 1 && values.some((v) => v > 1);
    for (let r = 0; r < rows; r++) {
      const srcRow = this.origin === 'upper' ? r : rows - 1 - r;
      for (let c = 0; c < cols; c++) {
        const i = (srcRow * cols + c) * channels;
        const o = (r * cols + c) * 4;
        let rgba: [number, number, number, number];
        if (channels === 1) {
          const v = values[i] as number;
          const m = Number.isFinite(v) ? this.cmap((v - this.vmin) / span) : { r: 0, g: 0, b: 0, a: 0 };
          rgba = [m.r, m.g, m.b, m.a];
        } else {
          const k = bytes ? 1 / 255 : 1;
          const ch = (j: number) => Math.max(0, Math.min(1, (values[i + j] as number) * k));
          rgba = [ch(0), ch(1), ch(2), channels === 4 ? ch(3) : 1];
        }
        out[o] = Math.round(rgba[0] * 255);
        out[o + 1] = Math.round(rgba[1] * 255);
        out[o + 2] = Math.round(rgba[2] * 255);
        out[o + 3] = Math.round(rgba[3] * this.alpha * 255);
      }
    }
    return out;
  }

  draw(f: Frame): string {
    const { rows, cols } = this.grid;
    if (rows === 0 || cols === 0) return '';
    const [l, r, b, t] = this.extentLRBT;
    // Whole-pixel edges, as Agg draws images, so no half-covered pixel shows beside the spines.
    const x0 = Math.round(f.x(l));
    const x1 = Math.round(f.x(r));
    const yTop = Math.round(f.y(t));
    const yBottom = Math.round(f.y(b));
    const w = Math.abs(x1 - x0);
    const h = Math.abs(yBottom - yTop);
    // Matplotlib's 'antialiased' interpolation: nearest neighbour when enlarging 3x or more, smooth otherwise.
    // Nearest is done here by repeating pixels, so every renderer (resvg, browsers) shows crisp cells.
    const nearest =
      this.interpolation === 'nearest' ||
      (this.interpolation === 'antialiased' && w >= 3 * cols && h >= 3 * rows);
    const kx = nearest ? Math.max(1, Math.min(Math.ceil(w / cols), Math.floor(4096 / cols))) : 1;
    const ky = nearest ? Math.max(1, Math.min(Math.ceil(h / rows), Math.floor(4096 / rows))) : 1;
    const data = repeatPixels(this.rgba(), cols, rows, kx, ky);
    const png = encode({ width: cols * kx, height: rows * ky, data, channels: 4, depth: 8 });
    // An image is drawn with its first row at `top`; flipped extents mirror it, as in matplotlib.
    const sx = x1 >= x0 ? 1 : -1;
    const sy = yBottom >= yTop ? 1 : -1;
    const attrs = {
      class: 'image',
      'data-shape': `${rows}x${cols}`,
      x: 0,
      y: 0,
      width: w,
      height: h,
      preserveAspectRatio: 'none',
      transform: `translate(${num(x0)} ${num(yTop)}) scale(${sx} ${sy})`,
      'image-rendering': nearest ? 'optimizeSpeed' : 'optimizeQuality',
      'xlink:href': `data:image/png;base64,${base64(png)}`,
    };
    return el('image', attrs);
  }

  legendKey(): string {
    return '';
  }

  obstacles(): void {}
}

/** Enlarges RGBA pixels into kx × ky blocks. */
function repeatPixels(src: Uint8Array, cols: number, rows: number, kx: number, ky: number): Uint8Array {
  if (kx === 1 && ky === 1) return src;
  const out = new Uint8Array(cols * kx * rows * ky * 4);
  const rowBytes = cols * kx * 4;
  for (let r = 0; r < rows; r++) {
    const base = r * ky * rowBytes;
    for (let c = 0; c < cols; c++)
      for (let k = 0; k < kx; k++)
        out.set(src.subarray((r * cols + c) * 4, (r * cols + c) * 4 + 4), base + (c * kx + k) * 4);
    for (let k = 1; k < ky; k++) out.copyWithin(base + k * rowBytes, base, base + rowBytes);
  }
  return out;
}

/**
 * Base64 of bytes, in browsers and Node alike.
 * @example base64(new Uint8Array([104, 105])) // 'aGk='
 */
export function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The finite value range of image data, for default color limits.
 * @example valueRange(new Float64Array([2, NaN, 5])) // [2, 5]
 */
export function valueRange(v: Float64Array): [number, number] {
  const [lo, hi] = finiteRange(v);
  return lo <= hi ? [lo, hi] : [0, 1];
}
