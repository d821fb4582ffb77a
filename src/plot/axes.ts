/**
 * @file `Axes`: one plotting area with its artists, limits, ticks, labels, title, grid and legend, drawn as SVG
 * with matplotlib's default look (rcParams of matplotlib 3.x, sizes in points converted at the figure's dpi).
 */
import { scaleLinear, scaleLog } from 'd3-scale';
import {
  type Artist,
  AxesImage,
  BarContainer,
  type Box,
  type Frame,
  Line2D,
  type MarkerStyle,
  type Obstacles,
  type PatchStyle,
  PathCollection,
  Polygon,
  type ScalarMappable,
  valueRange,
} from './artists.js';
import { type Color, colormap, hex, type RGBA, TAB10, toRGBA } from './colors.js';
import {
  type ArrayData,
  type AxisData,
  finiteRange,
  isCategorical,
  type MatrixData,
  toGrid,
  toNumbers,
} from './data.js';
import { drawLegend, type LegendOptions } from './legend.js';
import { dashArray, type LineStyle, lineStyle, type Marker, parseFmt } from './style.js';
import { el, escapeXml, num, snap } from './svg.js';
import { ASCENT, DESCENT, textWidth } from './text.js';
import {
  formatLog,
  formatTicks,
  inView,
  logTicks,
  maxNLocator,
  nonsingular,
  type TickLabel,
} from './ticks.js';

/**
 * Options of `plot`, named as matplotlib's keyword arguments.
 * @example plt.plot(x, y, { color: 'tab:red', linewidth: 2, marker: 'o', label: 'data' });
 */
export interface PlotOptions {
  /** Line and marker colour (default: the next colour of the cycle). */
  color?: Color;
  /** Line width in points (default 1.5). */
  linewidth?: number;
  /** Line style (default solid; `'None'` for markers only). */
  linestyle?: LineStyle;
  /** Marker at each point (default none). */
  marker?: Marker;
  /** Marker size in points (default 6). */
  markersize?: number;
  /** Marker fill colour (default: the line colour). */
  markerfacecolor?: Color;
  /** Marker edge colour (default: the line colour). */
  markeredgecolor?: Color;
  /** Marker edge width in points (default 1). */
  markeredgewidth?: number;
  /** Opacity, 0..1. */
  alpha?: number;
  /** Legend label; labels starting with `_` are left out of the legend. */
  label?: string;
}

/**
 * Options of `scatter`.
 * @example plt.scatter(x, y, { s: 10, c: labels, cmap: 'viridis', alpha: 0.5 });
 */
export interface ScatterOptions {
  /** Marker area in points² (default 36), one for all or one per point. */
  s?: number | ArrayData;
  /** Colour for all points, or one value per point mapped through `cmap`. */
  c?: Color | ArrayData;
  /** Colour for all points (default: the next colour of the cycle). */
  color?: Color;
  /** Marker (default `'o'`). */
  marker?: Marker;
  /** Colormap for numeric `c` (default `'viridis'`). */
  cmap?: string;
  vmin?: number;
  vmax?: number;
  alpha?: number;
  /** Marker edge width in points (default 1.5 for filled markers' same-colour edge). */
  linewidths?: number;
  /** Edge colour, or `'face'` (default) for the fill colour. */
  edgecolors?: Color | 'face';
  label?: string;
}

/**
 * Options of `hist`.
 * @example plt.hist(samples, { bins: 30, density: true, histtype: 'step' });
 */
export interface HistOptions {
  /** Number of equal bins (default 10), or the bin edges. */
  bins?: number | ArrayData;
  /** Lower and upper edge of the bins (default: the data's range). */
  range?: readonly [number, number];
  /** Normalise so that the area under the histogram is 1. */
  density?: boolean;
  /** A weight per value (default 1). */
  weights?: ArrayData;
  /** Each bin counts itself and all bins before it. */
  cumulative?: boolean;
  /** `'bar'` (default), `'step'` (outline) or `'stepfilled'`. */
  histtype?: 'bar' | 'step' | 'stepfilled';
  /** Fraction of the bin width a bar takes (default 1). */
  rwidth?: number;
  color?: Color;
  edgecolor?: Color;
  /** Edge width in points (default 1, or 1.5 for `'step'`). */
  linewidth?: number;
  alpha?: number;
  label?: string;
}

/**
 * What `hist` returns, as matplotlib's `(n, bins, patches)`.
 * @example const { n, bins } = plt.hist([1, 2, 2, 3], { bins: 3 }); n // [1, 2, 1]
 */
export interface HistResult {
  /** Value (count, or density) of each bin. */
  readonly n: number[];
  /** Bin edges, one more than `n`. */
  readonly bins: number[];
  readonly patches: Artist;
}

/**
 * Options of `bar`.
 * @example plt.bar([1, 2, 3], [4, 5, 6], { width: 0.5, color: ['r', 'g', 'b'] });
 */
export interface BarOptions {
  /** Bar width in data units (default 0.8), one for all or one per bar. */
  width?: number | ArrayData;
  /** Where bars start (default 0). */
  bottom?: number | ArrayData;
  /** `'center'` (default) puts bars' centres at x, `'edge'` their left edges. */
  align?: 'center' | 'edge';
  /** One colour for all bars or one per bar. */
  color?: Color | readonly Color[];
  edgecolor?: Color;
  linewidth?: number;
  alpha?: number;
  label?: string;
  /** Tick labels under the bars. */
  tickLabel?: readonly string[];
}

/**
 * Options of `imshow`.
 * @example plt.imshow(img, { cmap: 'gray', vmin: 0, vmax: 1, origin: 'lower' });
 */
export interface ImshowOptions {
  /** Colormap for 2-D data (default `'viridis'`). */
  cmap?: string;
  vmin?: number;
  vmax?: number;
  /** `'equal'` (default) keeps pixels square; `'auto'` fills the axes. */
  aspect?: 'equal' | 'auto' | number;
  /** Row 0 at the top (`'upper'`, default) or at the bottom. */
  origin?: 'upper' | 'lower';
  /** `[left, right, bottom, top]` in data coordinates. */
  extent?: readonly [number, number, number, number];
  /** `'antialiased'` (default: nearest when enlarging, smooth when shrinking), `'nearest'` or `'bilinear'`. */
  interpolation?: 'antialiased' | 'nearest' | 'bilinear';
  alpha?: number;
}

/**
 * Options of `fillBetween`.
 * @example plt.fillBetween(x, low, high, { color: 'C0', alpha: 0.2 });
 */
export interface FillBetweenOptions {
  color?: Color;
  alpha?: number;
  edgecolor?: Color;
  linewidth?: number;
  label?: string;
}

/**
 * Options of `grid`.
 * @example plt.grid(true, { axis: 'y', linestyle: '--' });
 */
export interface GridOptions {
  /** Which axis gets grid lines (default both). */
  axis?: 'both' | 'x' | 'y';
  /** Grid colour (default `'#b0b0b0'`). */
  color?: Color;
  linestyle?: LineStyle;
  /** Width in points (default 0.8). */
  linewidth?: number;
  alpha?: number;
}

/**
 * Options of titles and axis labels.
 * @example plt.title('Loss', { fontsize: 14, loc: 'left' });
 */
export interface TextOptions {
  /** Size in points (default 10; 12 for titles). */
  fontsize?: number;
  color?: Color;
  /** Title position: `'center'` (default), `'left'` or `'right'`. */
  loc?: 'center' | 'left' | 'right';
}

/**
 * An axis scale: `'linear'` or `'log'` (base 10).
 * @example ax.setYscale('log');
 */
export type Scale = 'linear' | 'log';

interface AxisState {
  lim: [number, number] | null;
  scale: Scale;
  label: string;
  labelOpts: TextOptions;
  ticks: number[] | null;
  tickLabels: string[] | null;
  categories: string[];
  visible: boolean;
  side: 'low' | 'high';
}

const newAxis = (): AxisState => ({
  lim: null,
  scale: 'linear',
  label: '',
  labelOpts: {},
  ticks: null,
  tickLabels: null,
  categories: [],
  visible: true,
  side: 'low',
});

/**
 * Pixel size of the page and pixels per point, shared by everything a figure draws.
 * @example const svg = ax.render({ width: 640, height: 480, pt: 100 / 72, id: (p) => p }, 0);
 */
export interface RenderContext {
  readonly width: number;
  readonly height: number;
  readonly pt: number;
  readonly id: (prefix: string) => string;
}

// Matplotlib rcParams, in points.
const TICK_SIZE = 3.5;
const TICK_WIDTH = 0.8;
const TICK_PAD = 3.5;
const MINOR_SIZE = 2;
const MINOR_WIDTH = 0.6;
const LABEL_PAD = 4;
const TITLE_PAD = 6;
const FONT = 10;
const TITLE_FONT = 12;
const MARGIN = 0.05;

/**
 * One set of axes in a figure, made by `plt.subplot(s)` or `fig.addSubplot`. Methods follow matplotlib's `Axes`
 * with camelCase names (`set_xlabel` → `setXlabel`).
 * @example const [fig, ax] = plt.subplots(); ax.plot([1, 2, 3], [1, 4, 9], 'r-'); ax.setTitle('squares');
 */
export class Axes {
  /** Left, bottom, width, height as fractions of the figure (bottom-up, as matplotlib). */
  position: [number, number, number, number];
  private artists: Artist[] = [];
  private lineColors = 0;
  private patchColors = 0;
  private titles: { center: string; left: string; right: string; opts: TextOptions } = {
    center: '',
    left: '',
    right: '',
    opts: {},
  };
  private readonly xaxis: AxisState = newAxis();
  private readonly yaxis: AxisState = newAxis();
  private gridOpts: { x: GridOptions | null; y: GridOptions | null } = { x: null, y: null };
  private legendState: { opts: LegendOptions; labels: string[] | null } | null = null;
  private aspect: 'auto' | 'equal' | number = 'auto';
  /** The colour-mapped artist a colorbar of this Axes follows (the last image or colour-mapped scatter). */
  mappable: ScalarMappable | null = null;
  /** Set on a colorbar's Axes: the mappable it shows. */
  colorbarOf: ScalarMappable | null = null;
  /**
   * Where a box shrunk to keep the aspect ratio sits in its slot, as fractions from the left and the bottom
   * (matplotlib's anchor; `[0.5, 0.5]` is 'C', a colorbar moves its parent to 'E', `[1, 0.5]`).
   */
  anchor: [number, number] = [0.5, 0.5];
  /** Pixel box around the axes, tick labels, axis labels and title, as last drawn (for `tightLayout`). */
  tight: Box | null = null;

  constructor(position: readonly [number, number, number, number]) {
    this.position = [...position];
  }

  /**
   * Plots y against x as a line and/or markers: `plot(y)`, `plot(x, y)`, `plot(x, y, 'r--')`, `plot(y, 'o')`.
   * @example ax.plot([0, 1, 2], [0, 1, 4], 'g--', { label: 'quadratic', linewidth: 2 });
   */
  plot(...args: PlotArgs): Line2D[] {
    const { x, y, fmt, opts } = splitPlotArgs(args);
    const ys = toNumbers(y, 'y');
    const xs = x === undefined ? Float64Array.from(ys, (_, i) => i) : this.positions(x, 'x');
    if (xs.length !== ys.length)
      throw new Error(
        `x and y must have same first dimension, but have shapes (${xs.length},) and (${ys.length},)`,
      );
    const spec = fmt === undefined ? {} : parseFmt(fmt);
    const color = toRGBA(opts.color ?? spec.color ?? this.nextColor('line'), opts.alpha);
    const marker = opts.marker ?? spec.marker ?? 'None';
    const ls = lineStyle(opts.linestyle ?? spec.linestyle);
    const markerStyle: MarkerStyle | null =
      marker === 'None' || marker === 'none' || marker === ''
        ? null
        : {
            marker,
            sizePt: opts.markersize ?? 6,
            face: opts.markerfacecolor === undefined ? color : toRGBA(opts.markerfacecolor, opts.alpha),
            edge: opts.markeredgecolor === undefined ? color : toRGBA(opts.markeredgecolor, opts.alpha),
            edgeWidthPt: opts.markeredgewidth ?? 1,
          };
    const line = new Line2D(
      xs,
      ys,
      { color, widthPt: opts.linewidth ?? 1.5, linestyle: ls, marker: markerStyle },
      opts.label,
    );
    this.artists.push(line);
    return [line];
  }

  /**
   * Draws one marker per point, with sizes `s` (points²) and colours `c` (a colour, or values mapped by `cmap`).
   * @example ax.scatter(x, y, { c: labels, cmap: 'viridis', s: 20, label: 'samples' });
   */
  scatter(x: AxisData, y: AxisData, opts: ScatterOptions = {}): PathCollection {
    const xs = this.positions(x, 'x');
    const ys = this.positions(y, 'y');
    if (xs.length !== ys.length)
      throw new Error(`x and y must be the same size, but got ${xs.length} and ${ys.length}`);
    const sizes =
      opts.s === undefined
        ? Float64Array.of(36)
        : typeof opts.s === 'number'
          ? Float64Array.of(opts.s)
          : toNumbers(opts.s, 's');
    let faces: RGBA[];
    const c = opts.c;
    const values = c === undefined || typeof c === 'string' ? null : toNumbers(c as ArrayData, 'c');
    // As in matplotlib, numbers in `c` are values to colour-map when there is one per point, else an RGB(A) colour.
    if (values && (values.length === xs.length || !isColorTuple(c))) {
      if (values.length !== xs.length)
        throw new Error(
          `'c' argument has ${values.length} elements, which is inconsistent with 'x' and 'y' with size ${xs.length}`,
        );
      const name = opts.cmap ?? 'viridis';
      const cmap = colormap(name);
      const [lo, hi] = valueRange(values);
      const vmin = opts.vmin ?? lo;
      const vmax = opts.vmax ?? hi;
      faces = Array.from(values, (v) => ({ ...cmap((v - vmin) / (vmax - vmin || 1)), a: opts.alpha ?? 1 }));
      this.mappable = { cmap, cmapName: name, vmin, vmax };
    } else faces = [toRGBA((c as Color | undefined) ?? opts.color ?? this.nextColor('patch'), opts.alpha)];
    const marker = opts.marker ?? 'o';
    const edge =
      opts.edgecolors === undefined || opts.edgecolors === 'face' ? 'face' : toRGBA(opts.edgecolors);
    const coll = new PathCollection(
      xs,
      ys,
      sizes,
      faces,
      { marker, edge, edgeWidthPt: opts.linewidths ?? (marker === '+' || marker === 'x' ? 1.5 : 1) },
      opts.label,
    );
    this.artists.push(coll);
    return coll;
  }

  /**
   * Histogram of the values in `x`: counts in `bins` equal bins over the data's range (or given edges).
   * @example const { n, bins } = ax.hist(torch.randn(1000), { bins: 30, density: true });
   */
  hist(x: ArrayData, opts: HistOptions = {}): HistResult {
    const values = toNumbers(x, 'x').filter(Number.isFinite);
    const weights = opts.weights === undefined ? null : toNumbers(opts.weights, 'weights');
    if (weights && weights.length !== toNumbers(x).length)
      throw new Error(
        `weights should have the same shape as x, but got ${weights.length} and ${toNumbers(x).length}`,
      );
    let edges: number[];
    if (opts.bins !== undefined && typeof opts.bins !== 'number')
      edges = Array.from(toNumbers(opts.bins, 'bins'));
    else {
      const nb = opts.bins ?? 10;
      if (!Number.isInteger(nb) || nb < 1) throw new Error(`bins must be a positive integer, but got ${nb}`);
      let [lo, hi] = opts.range ?? finiteRange(values);
      if (values.length === 0 && !opts.range) [lo, hi] = [0, 1];
      if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
      edges = Array.from({ length: nb + 1 }, (_, i) => lo + ((hi - lo) * i) / nb);
    }
    const n = new Array<number>(edges.length - 1).fill(0);
    const all = toNumbers(x);
    const first = edges[0] as number;
    const last = edges[edges.length - 1] as number;
    all.forEach((v, i) => {
      if (!(v >= first && v <= last)) return;
      // Bins are half-open [a, b) except the last, which includes its right edge (as numpy.histogram).
      let lo = 0;
      let hi = edges.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (v >= (edges[mid] as number)) lo = mid;
        else hi = mid;
      }
      n[lo] = (n[lo] as number) + (weights ? (weights[i] as number) : 1);
    });
    if (opts.density) {
      const total = n.reduce((a, b) => a + b, 0) || 1;
      for (let i = 0; i < n.length; i++)
        n[i] = (n[i] as number) / total / ((edges[i + 1] as number) - (edges[i] as number));
    }
    if (opts.cumulative) for (let i = 1; i < n.length; i++) n[i] = (n[i] as number) + (n[i - 1] as number);
    const type = opts.histtype ?? 'bar';
    const face = toRGBA(opts.color ?? this.nextColor('patch'), opts.alpha);
    let patches: Artist;
    if (type === 'bar') {
      const rw = opts.rwidth ?? 1;
      const rects = n.map((v, i) => {
        const a = edges[i] as number;
        const b = edges[i + 1] as number;
        const pad = ((b - a) * (1 - rw)) / 2;
        return [a + pad, b - pad, 0, v] as const;
      });
      const style: PatchStyle = {
        face,
        edge: opts.edgecolor === undefined ? null : toRGBA(opts.edgecolor),
        edgeWidthPt: opts.linewidth ?? 1,
      };
      patches = new BarContainer(rects, [style], { x: [], y: [0] }, opts.label);
    } else {
      const xs: number[] = [edges[0] as number];
      const ys: number[] = [0];
      n.forEach((v, i) => {
        xs.push(edges[i] as number, edges[i + 1] as number);
        ys.push(v, v);
      });
      xs.push(edges[edges.length - 1] as number);
      ys.push(0);
      const filled = type === 'stepfilled';
      const style: PatchStyle = filled
        ? {
            face,
            edge: opts.edgecolor === undefined ? null : toRGBA(opts.edgecolor),
            edgeWidthPt: opts.linewidth ?? 1,
          }
        : {
            face: null,
            edge: opts.edgecolor === undefined ? face : toRGBA(opts.edgecolor, opts.alpha),
            edgeWidthPt: opts.linewidth ?? 1.5,
          };
      patches = new Polygon(
        Float64Array.from(xs),
        Float64Array.from(ys),
        filled,
        style,
        { x: [], y: [0] },
        opts.label,
      );
    }
    this.artists.push(patches);
    return { n, bins: edges, patches };
  }

  /**
   * Vertical bars at `x` (numbers or category names) of the given heights.
   * @example ax.bar(['a', 'b', 'c'], [3, 7, 2], { color: 'tab:green' });
   */
  bar(x: AxisData, height: ArrayData | number, opts: BarOptions = {}): BarContainer {
    const xs = this.positions(x, 'x');
    const hs = broadcast(height, xs.length, 'height');
    const ws = broadcast(opts.width ?? 0.8, xs.length, 'width');
    const bs = broadcast(opts.bottom ?? 0, xs.length, 'bottom');
    const rects = Array.from(xs, (xv, i) => {
      const w = ws[i] as number;
      const left = opts.align === 'edge' ? xv : xv - w / 2;
      const b = bs[i] as number;
      return [left, left + w, b, b + (hs[i] as number)] as const;
    });
    const colors =
      Array.isArray(opts.color) && !isColorTuple(opts.color) ? (opts.color as readonly Color[]) : null;
    const one = colors
      ? null
      : toRGBA((opts.color as Color | undefined) ?? this.nextColor('patch'), opts.alpha);
    const edge = opts.edgecolor === undefined ? null : toRGBA(opts.edgecolor);
    const styles: PatchStyle[] = (colors ?? [null]).map((c) => ({
      face: c === null ? (one as RGBA) : toRGBA(c, opts.alpha),
      edge,
      edgeWidthPt: opts.linewidth ?? 1,
    }));
    if (opts.tickLabel) {
      this.xaxis.ticks = Array.from(xs);
      this.xaxis.tickLabels = [...opts.tickLabel];
    }
    const bars = new BarContainer(rects, styles, { x: [], y: Array.from(bs) }, opts.label);
    this.artists.push(bars);
    return bars;
  }

  /**
   * Shows 2-D data as an image through a colormap (or RGB(A) data as colours), row 0 at the top.
   * @example ax.imshow(torch.rand(28, 28), { cmap: 'gray' });
   */
  imshow(data: MatrixData, opts: ImshowOptions = {}): AxesImage {
    const grid = toGrid(data);
    const [lo, hi] = valueRange(grid.values);
    const origin = opts.origin ?? 'upper';
    const extent =
      opts.extent ??
      (origin === 'upper'
        ? ([-0.5, grid.cols - 0.5, grid.rows - 0.5, -0.5] as const)
        : ([-0.5, grid.cols - 0.5, -0.5, grid.rows - 0.5] as const));
    const name = opts.cmap ?? 'viridis';
    const image = new AxesImage(
      grid,
      colormap(name),
      name,
      opts.vmin ?? lo,
      opts.vmax ?? hi,
      extent,
      origin,
      opts.interpolation ?? 'antialiased',
      opts.alpha ?? 1,
    );
    this.artists.push(image);
    this.aspect = opts.aspect ?? 'equal';
    // Matplotlib fixes the limits to the image and turns the y axis upside down for origin 'upper'.
    this.xaxis.lim = [extent[0], extent[1]];
    this.yaxis.lim = [extent[2], extent[3]];
    if (grid.channels === 1) this.mappable = image;
    return image;
  }

  /**
   * Fills the area between two curves (`y2` defaults to 0), e.g. a band of ± one standard deviation.
   * @example ax.fillBetween(steps, lower, upper, { alpha: 0.3 });
   */
  fillBetween(
    x: ArrayData,
    y1: ArrayData | number,
    y2: ArrayData | number = 0,
    opts: FillBetweenOptions = {},
  ): Polygon {
    const xs = toNumbers(x, 'x');
    const a = broadcast(y1, xs.length, 'y1');
    const b = broadcast(y2, xs.length, 'y2');
    const px = Float64Array.from([...xs, ...Array.from(xs).reverse()]);
    const py = Float64Array.from([...a, ...Array.from(b).reverse()]);
    const face = toRGBA(opts.color ?? this.nextColor('patch'), opts.alpha);
    const style: PatchStyle = {
      face,
      edge: opts.edgecolor === undefined ? null : toRGBA(opts.edgecolor),
      edgeWidthPt: opts.linewidth ?? 1,
    };
    const poly = new Polygon(px, py, true, style, { x: [], y: [] }, opts.label);
    this.artists.push(poly);
    return poly;
  }

  /**
   * Sets the title above the axes (`loc` picks centre, left or right).
   * @example ax.setTitle('Training loss');
   */
  setTitle(label: string, opts: TextOptions = {}): void {
    this.titles[opts.loc ?? 'center'] = label;
    this.titles.opts = opts;
  }

  /**
   * Sets the label under the x axis.
   * @example ax.setXlabel('epoch');
   */
  setXlabel(label: string, opts: TextOptions = {}): void {
    this.xaxis.label = label;
    this.xaxis.labelOpts = opts;
  }

  /**
   * Sets the label beside the y axis.
   * @example ax.setYlabel('loss');
   */
  setYlabel(label: string, opts: TextOptions = {}): void {
    this.yaxis.label = label;
    this.yaxis.labelOpts = opts;
  }

  /**
   * Fixes the x limits (`left > right` flips the axis); `undefined` keeps that end automatic.
   * @example ax.setXlim(0, 10);
   */
  setXlim(left?: number | readonly [number, number], right?: number): [number, number] {
    return this.setLim('x', left, right);
  }

  /**
   * Fixes the y limits (`bottom > top` flips the axis).
   * @example ax.setYlim(-1, 1);
   */
  setYlim(bottom?: number | readonly [number, number], top?: number): [number, number] {
    return this.setLim('y', bottom, top);
  }

  /**
   * The x limits in use now (fixed, or from autoscaling the data).
   * @example ax.getXlim() // [-0.1, 2.1]
   */
  getXlim(): [number, number] {
    return this.viewLimits().x;
  }

  /**
   * The y limits in use now.
   * @example ax.getYlim() // [-1.1, 1.1]
   */
  getYlim(): [number, number] {
    return this.viewLimits().y;
  }

  /**
   * Sets the x axis scale, `'linear'` or `'log'`.
   * @example ax.setXscale('log');
   */
  setXscale(scale: Scale): void {
    this.xaxis.scale = checkScale(scale);
  }

  /**
   * Sets the y axis scale, `'linear'` or `'log'` (as `semilogy`).
   * @example ax.setYscale('log');
   */
  setYscale(scale: Scale): void {
    this.yaxis.scale = checkScale(scale);
  }

  /**
   * Places x ticks at `ticks`, optionally with their own labels.
   * @example ax.setXticks([0, 1, 2], ['zero', 'one', 'two']);
   */
  setXticks(ticks: ArrayData, labels?: readonly string[]): void {
    setTicks(this.xaxis, ticks, labels);
  }

  /**
   * Places y ticks at `ticks`, optionally with their own labels.
   * @example ax.setYticks([0, 0.5, 1]);
   */
  setYticks(ticks: ArrayData, labels?: readonly string[]): void {
    setTicks(this.yaxis, ticks, labels);
  }

  /**
   * Sets the aspect ratio of data units: `'equal'` makes one x unit as long as one y unit.
   * @example ax.setAspect('equal');
   */
  setAspect(aspect: 'auto' | 'equal' | number): void {
    this.aspect = aspect;
  }

  /**
   * Turns the grid on or off (no argument toggles it), along both axes or one.
   * @example ax.grid(true, { axis: 'y', alpha: 0.5 });
   */
  grid(visible?: boolean, opts: GridOptions = {}): void {
    const axis = opts.axis ?? 'both';
    const on = visible ?? !(this.gridOpts.x || this.gridOpts.y);
    if (axis !== 'y') this.gridOpts.x = on ? opts : null;
    if (axis !== 'x') this.gridOpts.y = on ? opts : null;
  }

  /**
   * Shows a legend of the labelled artists (`legend()`), or of the given labels in plotting order.
   * @example ax.legend({ loc: 'upper left' }); ax.legend(['train', 'val']);
   */
  legend(labelsOrOpts?: readonly string[] | LegendOptions, opts: LegendOptions = {}): void {
    if (Array.isArray(labelsOrOpts))
      this.legendState = { opts, labels: [...(labelsOrOpts as readonly string[])] };
    else this.legendState = { opts: (labelsOrOpts as LegendOptions | undefined) ?? opts, labels: null };
  }

  /**
   * Turns the axis lines, ticks and labels off (`'off'`) or on.
   * @example ax.axis('off');
   */
  axis(state: 'on' | 'off'): void {
    this.xaxis.visible = this.yaxis.visible = state === 'on';
  }

  /**
   * Clears everything drawn and set on these axes.
   * @example ax.cla();
   */
  cla(): void {
    this.artists = [];
    this.lineColors = this.patchColors = 0;
    this.titles = { center: '', left: '', right: '', opts: {} };
    Object.assign(this.xaxis, newAxis());
    Object.assign(this.yaxis, newAxis());
    if (this.colorbarOf) this.ticksRight(); // a colorbar keeps its right-hand ticks and hidden x axis
    this.gridOpts = { x: null, y: null };
    this.legendState = null;
    this.aspect = 'auto';
    this.mappable = null;
  }

  /**
   * The title text (centre, else left, else right), or an empty string.
   * @example ax.setTitle('loss'); ax.titleText() // 'loss'
   */
  titleText(): string {
    return this.titles.center || this.titles.left || this.titles.right;
  }

  /** The artists drawn, in order. */
  get children(): readonly Artist[] {
    return this.artists;
  }

  /**
   * Adds an artist (a `Line2D`, `PathCollection`, ...) to draw, as matplotlib's `add_artist`.
   * @example ax.addArtist(new Line2D(xs, ys, style, 'fit'));
   */
  addArtist<A extends Artist>(artist: A): A {
    this.artists.push(artist);
    return artist;
  }

  /** Moves the y ticks and labels to the right (for colorbars). */
  ticksRight(): void {
    this.yaxis.side = 'high';
    this.xaxis.visible = false;
  }

  private setLim(which: 'x' | 'y', a?: number | readonly [number, number], b?: number): [number, number] {
    const state = which === 'x' ? this.xaxis : this.yaxis;
    const [lo, hi] = Array.isArray(a) ? (a as readonly [number, number]) : [a as number | undefined, b];
    if ((lo !== undefined && !Number.isFinite(lo)) || (hi !== undefined && !Number.isFinite(hi)))
      throw new Error(`Axis limits cannot be NaN or Inf, but got (${lo}, ${hi})`);
    if (lo !== undefined && hi !== undefined && lo === hi)
      throw new Error(
        `Attempting to set identical low and high ${which}lims makes transformation singular (${lo})`,
      );
    const cur = state.lim ?? [Number.NaN, Number.NaN];
    state.lim = [lo ?? cur[0], hi ?? cur[1]];
    return this.viewLimits()[which];
  }

  private nextColor(kind: 'line' | 'patch'): string {
    const i = kind === 'line' ? this.lineColors++ : this.patchColors++;
    return TAB10[i % TAB10.length] as string;
  }

  private positions(data: AxisData, axis: 'x' | 'y'): Float64Array {
    if (!isCategorical(data)) return toNumbers(data, axis);
    const state = axis === 'x' ? this.xaxis : this.yaxis;
    return Float64Array.from(data, (name) => {
      let i = state.categories.indexOf(name);
      if (i < 0) i = state.categories.push(name) - 1;
      return i;
    });
  }

  /** The x and y view limits: fixed ones, or the data's extent with matplotlib's 5% margins. */
  viewLimits(): { x: [number, number]; y: [number, number] } {
    const logX = this.xaxis.scale === 'log';
    const logY = this.yaxis.scale === 'log';
    const extents = this.artists.map((a) => a.extent(logX, logY)).filter((e) => e !== null);
    const auto = (axis: 'x' | 'y', state: AxisState): [number, number] => {
      const log = state.scale === 'log';
      if (extents.length === 0) return log ? [1, 10] : [0, 1];
      let lo = Math.min(...extents.map((e) => e[axis][0]));
      let hi = Math.max(...extents.map((e) => e[axis][1]));
      const sticky = extents.flatMap((e) => (axis === 'x' ? (e.stickyX ?? []) : (e.stickyY ?? [])));
      const fwd = log ? Math.log10 : (v: number) => v;
      const inv = log ? (v: number) => 10 ** v : (v: number) => v;
      [lo, hi] = nonsingular(fwd(lo), fwd(hi), 0.05);
      const pad = (hi - lo) * MARGIN;
      let a = inv(lo - pad);
      let b = inv(hi + pad);
      // Sticky edges: a margin never crosses a value that data sits on (bars on 0, image borders).
      const dlo = inv(lo);
      const dhi = inv(hi);
      const tol = (dhi - dlo) * 1e-9;
      const below = sticky.filter((s) => s <= dlo + tol && s >= a);
      const above = sticky.filter((s) => s >= dhi - tol && s <= b);
      if (below.length) a = below.reduce((p, q) => Math.max(p, q));
      if (above.length) b = above.reduce((p, q) => Math.min(p, q));
      return [a, b];
    };
    const resolve = (axis: 'x' | 'y', state: AxisState): [number, number] => {
      const lim = state.lim;
      if (lim && Number.isFinite(lim[0]) && Number.isFinite(lim[1])) return [lim[0], lim[1]];
      const [a, b] = auto(axis, state);
      if (!lim) return [a, b];
      return [Number.isFinite(lim[0]) ? lim[0] : a, Number.isFinite(lim[1]) ? lim[1] : b];
    };
    return { x: resolve('x', this.xaxis), y: resolve('y', this.yaxis) };
  }

  /** The plotting box in pixels, shrunk to keep the aspect ratio when one is set. */
  private plotBox(ctx: RenderContext, lim: { x: [number, number]; y: [number, number] }): Box {
    const [l, b, w, h] = this.position;
    const box = { x: l * ctx.width, y: (1 - b - h) * ctx.height, w: w * ctx.width, h: h * ctx.height };
    const aspect = this.colorbarOf ? 'auto' : this.aspect === 'equal' ? 1 : this.aspect;
    if (aspect === 'auto') return box;
    const span = (axis: AxisState, [a, c]: [number, number]) =>
      axis.scale === 'log' ? Math.abs(Math.log10(c) - Math.log10(a)) : Math.abs(c - a);
    const want = (aspect * span(this.yaxis, lim.y)) / (span(this.xaxis, lim.x) || 1);
    const [ax, ay] = this.anchor;
    if (box.h / box.w > want) {
      const nh = box.w * want;
      return { ...box, y: box.y + (box.h - nh) * (1 - ay), h: nh };
    }
    const nw = box.h / want;
    return { ...box, x: box.x + (box.w - nw) * ax, w: nw };
  }

  /** Draws the axes (background, artists, grid, spines, ticks, labels, title, legend) as an SVG group. */
  render(ctx: RenderContext, index: number): string {
    const lim = this.viewLimits();
    const box = this.plotBox(ctx, lim);
    const { pt } = ctx;
    const sx = (this.xaxis.scale === 'log' ? scaleLog() : scaleLinear())
      .domain(lim.x)
      .range([box.x, box.x + box.w]);
    const sy = (this.yaxis.scale === 'log' ? scaleLog() : scaleLinear())
      .domain(lim.y)
      .range([box.y + box.h, box.y]);
    const frame: Frame = { x: (v) => sx(v), y: (v) => sy(v), box, pt, id: ctx.id };
    const clipId = ctx.id('clip');
    const spineW = 0.8 * pt;
    const crisp = {
      x: snap(box.x, spineW),
      y: snap(box.y, spineW),
      r: snap(box.x + box.w, spineW),
      b: snap(box.y + box.h, spineW),
    };
    let out = el('rect', {
      class: 'axes-background',
      x: box.x,
      y: box.y,
      width: box.w,
      height: box.h,
      fill: '#ffffff',
    });
    out += el(
      'defs',
      {},
      // Agg rounds clip boxes to whole pixels; so do we, so images and bars end cleanly at the spines.
      el(
        'clipPath',
        { id: clipId },
        el('rect', {
          x: Math.round(box.x),
          y: Math.round(box.y),
          width: Math.round(box.x + box.w) - Math.round(box.x),
          height: Math.round(box.y + box.h) - Math.round(box.y),
        }),
      ),
    );

    const xt = this.ticks(this.xaxis, lim.x, box.w / pt / (FONT * 3));
    const yt = this.ticks(this.yaxis, lim.y, box.h / pt / (FONT * 2));

    // Draw order follows matplotlib's zorder: images 0, patches 1, grid 1.5, lines 2, spines and ticks 2.5.
    const sorted = [...this.artists].sort((a, b) => a.zorder - b.zorder);
    const below = sorted.filter((a) => a.zorder < 1.5).map((a) => a.draw(frame));
    const above = sorted.filter((a) => a.zorder >= 1.5).map((a) => a.draw(frame));
    let grid = '';
    const gridLine = (o: GridOptions, d: string) => {
      const c = toRGBA(o.color ?? '#b0b0b0', o.alpha);
      const ls = lineStyle(o.linestyle ?? '-');
      const w = (o.linewidth ?? 0.8) * pt;
      return el('path', {
        d,
        fill: 'none',
        stroke: hex(c),
        'stroke-opacity': c.a < 1 ? c.a : undefined,
        'stroke-width': w,
        'stroke-dasharray': ls && ls !== '-' ? dashArray(ls, w)?.map(num).join(' ') : undefined,
        'stroke-linecap': 'square',
      });
    };
    if (this.gridOpts.x)
      for (const t of xt.major)
        grid += gridLine(
          this.gridOpts.x,
          `M${num(snap(sx(t), 0.8 * pt))} ${num(box.y)}V${num(box.y + box.h)}`,
        );
    if (this.gridOpts.y)
      for (const t of yt.major)
        grid += gridLine(
          this.gridOpts.y,
          `M${num(box.x)} ${num(snap(sy(t), 0.8 * pt))}H${num(box.x + box.w)}`,
        );
    out += el(
      'g',
      { class: 'artists', 'clip-path': `url(#${clipId})` },
      below.join('') + (grid ? el('g', { class: 'grid' }, grid) : '') + above.join(''),
    );

    const showX = this.xaxis.visible;
    const showY = this.yaxis.visible;
    if (showX || showY) {
      const spine = (cls: string, d: string) =>
        el('path', {
          class: `spine ${cls}`,
          d,
          fill: 'none',
          stroke: '#000000',
          'stroke-width': spineW,
          'stroke-linecap': 'square',
          'stroke-linejoin': 'miter',
        });
      out += spine('spine-left', `M${num(crisp.x)} ${num(crisp.b)}V${num(crisp.y)}`);
      out += spine('spine-right', `M${num(crisp.r)} ${num(crisp.b)}V${num(crisp.y)}`);
      out += spine('spine-bottom', `M${num(crisp.x)} ${num(crisp.b)}H${num(crisp.r)}`);
      out += spine('spine-top', `M${num(crisp.x)} ${num(crisp.y)}H${num(crisp.r)}`);
    }

    const fs = FONT * pt;
    const tickLen = TICK_SIZE * pt;
    const labelGap = (TICK_SIZE + TICK_PAD) * pt;
    // The tight box around the axes and everything drawn beside it, for `tightLayout`.
    const tight = { x0: box.x, y0: box.y, x1: box.x + box.w, y1: box.y + box.h };
    const grow = (x0: number, y0: number, x1: number, y1: number) => {
      tight.x0 = Math.min(tight.x0, x0);
      tight.y0 = Math.min(tight.y0, y0);
      tight.x1 = Math.max(tight.x1, x1);
      tight.y1 = Math.max(tight.y1, y1);
    };
    // x axis: ticks under the bottom spine, labels centred under them.
    let xLabelBottom = box.y + box.h;
    if (showX) {
      let g = '';
      const y0 = crisp.b;
      xt.major.forEach((t, i) => {
        const x = snap(sx(t), TICK_WIDTH * pt);
        const label = xt.labels[i];
        const mark = el('path', {
          class: 'tick-mark',
          d: `M${num(x)} ${num(y0)}v${num(tickLen)}`,
          stroke: '#000000',
          'stroke-width': TICK_WIDTH * pt,
        });
        const text = label
          ? tickText(label, sx(t), box.y + box.h + labelGap + ASCENT * fs, fs, 'middle')
          : '';
        if (label) grow(sx(t) - labelWidth(label, fs) / 2, box.y, sx(t) + labelWidth(label, fs) / 2, box.y);
        g += el('g', { class: 'tick', 'data-value': String(t) }, mark + text);
      });
      for (const t of xt.minor) {
        const x = snap(sx(t), MINOR_WIDTH * pt);
        g += el('path', {
          class: 'minor-tick',
          d: `M${num(x)} ${num(y0)}v${num(MINOR_SIZE * pt)}`,
          stroke: '#000000',
          'stroke-width': MINOR_WIDTH * pt,
        });
      }
      if (xt.labels.some((l) => l.text))
        xLabelBottom =
          box.y + box.h + labelGap + (ASCENT + DESCENT) * fs + (xt.labels.some((l) => l.sup) ? 0.3 * fs : 0);
      else xLabelBottom = box.y + box.h + tickLen;
      grow(box.x, box.y, box.x, xLabelBottom);
      if (xt.offset)
        g += el(
          'text',
          {
            class: 'offset-text',
            x: box.x + box.w,
            y: xLabelBottom + 3 * pt + ASCENT * fs,
            'font-size': fs,
            'text-anchor': 'end',
          },
          escapeXml(xt.offset),
        );
      out += el('g', { class: 'xaxis' }, g);
    }
    // y axis: ticks left of the left spine (right of the right one for colorbars), labels beside them.
    let yLabelEdge = box.x;
    if (showY) {
      let g = '';
      const high = this.yaxis.side === 'high';
      const x0 = high ? crisp.r : crisp.x;
      const dir = high ? 1 : -1;
      let widest = 0;
      yt.major.forEach((t, i) => {
        const y = snap(sy(t), TICK_WIDTH * pt);
        const label = yt.labels[i];
        const mark = el('path', {
          class: 'tick-mark',
          d: `M${num(x0)} ${num(y)}h${num(dir * tickLen)}`,
          stroke: '#000000',
          'stroke-width': TICK_WIDTH * pt,
        });
        let text = '';
        if (label) {
          widest = Math.max(widest, labelWidth(label, fs));
          const x = high ? box.x + box.w + labelGap : box.x - labelGap;
          text = tickText(label, x, sy(t) + (ASCENT / 2) * fs, fs, high ? 'start' : 'end');
        }
        g += el('g', { class: 'tick', 'data-value': String(t) }, mark + text);
      });
      for (const t of yt.minor) {
        const y = snap(sy(t), MINOR_WIDTH * pt);
        g += el('path', {
          class: 'minor-tick',
          d: `M${num(x0)} ${num(y)}h${num(dir * MINOR_SIZE * pt)}`,
          stroke: '#000000',
          'stroke-width': MINOR_WIDTH * pt,
        });
      }
      yLabelEdge = high ? box.x + box.w + labelGap + widest : box.x - (widest ? labelGap + widest : tickLen);
      grow(yLabelEdge, box.y - (yt.offset ? 3 * pt + ASCENT * fs : 0), yLabelEdge, box.y);
      if (yt.offset)
        g += el(
          'text',
          {
            class: 'offset-text',
            x: high ? box.x + box.w : box.x,
            y: box.y - 3 * pt,
            'font-size': fs,
            'text-anchor': high ? 'end' : 'start',
          },
          escapeXml(yt.offset),
        );
      out += el('g', { class: 'yaxis' }, g);
    }

    if (this.xaxis.label && showX) {
      const o = this.xaxis.labelOpts;
      const size = (o.fontsize ?? FONT) * pt;
      const y = xLabelBottom + LABEL_PAD * pt + ASCENT * size;
      grow(box.x, box.y, box.x, y + DESCENT * size);
      out += el(
        'text',
        {
          class: 'xlabel',
          x: box.x + box.w / 2,
          y,
          'font-size': size,
          'text-anchor': 'middle',
          fill: textColor(o),
        },
        escapeXml(this.xaxis.label),
      );
    }
    if (this.yaxis.label && showY) {
      const o = this.yaxis.labelOpts;
      const size = (o.fontsize ?? FONT) * pt;
      const high = this.yaxis.side === 'high';
      // Rotated text reads upwards; its descent faces the axis on the left side, the ascent on the right.
      const x = high
        ? yLabelEdge + LABEL_PAD * pt + ASCENT * size
        : yLabelEdge - LABEL_PAD * pt - DESCENT * size;
      const y = box.y + box.h / 2;
      grow(x - ASCENT * size, y, x + DESCENT * size, y);
      out += el(
        'text',
        {
          class: 'ylabel',
          x: 0,
          y: 0,
          transform: `translate(${num(x)} ${num(y)}) rotate(-90)`,
          'font-size': size,
          'text-anchor': 'middle',
          fill: textColor(o),
        },
        escapeXml(this.yaxis.label),
      );
    }
    const t = this.titles;
    const tsize = (t.opts.fontsize ?? TITLE_FONT) * pt;
    const ty = box.y - TITLE_PAD * pt;
    const titleAttrs = { 'font-size': tsize, fill: textColor(t.opts), y: ty };
    if (t.center || t.left || t.right) grow(box.x, ty - ASCENT * tsize, box.x, ty);
    if (t.center)
      out += el(
        'text',
        { class: 'title', x: box.x + box.w / 2, 'text-anchor': 'middle', ...titleAttrs },
        escapeXml(t.center),
      );
    if (t.left) out += el('text', { class: 'title title-left', x: box.x, ...titleAttrs }, escapeXml(t.left));
    if (t.right)
      out += el(
        'text',
        { class: 'title title-right', x: box.x + box.w, 'text-anchor': 'end', ...titleAttrs },
        escapeXml(t.right),
      );

    if (this.legendState) {
      const labelled = this.legendEntries();
      const obstacles: Obstacles = { points: [], lines: [], boxes: [] };
      for (const a of this.artists) a.obstacles(frame, obstacles);
      out += drawLegend(labelled, this.legendState.opts, box, pt, obstacles);
    }
    this.tight = { x: tight.x0, y: tight.y0, w: tight.x1 - tight.x0, h: tight.y1 - tight.y0 };
    return el('g', { id: `axes_${index + 1}`, class: this.colorbarOf ? 'axes colorbar' : 'axes' }, out);
  }

  /** The artists and labels the legend lists. */
  legendEntries(): { artist: Artist; label: string }[] {
    const explicit = this.legendState?.labels;
    const drawable = this.artists.filter((a) => !(a instanceof AxesImage));
    if (explicit)
      return explicit.slice(0, drawable.length).map((label, i) => ({ artist: drawable[i] as Artist, label }));
    return drawable
      .filter((a) => a.label !== undefined && a.label !== '' && !a.label.startsWith('_'))
      .map((a) => ({ artist: a, label: a.label as string }));
  }

  private ticks(
    axis: AxisState,
    lim: [number, number],
    space: number,
  ): { major: number[]; minor: number[]; labels: TickLabel[]; offset: string } {
    const nbins = Math.max(1, Math.min(9, Math.floor(space)));
    const [lo, hi] = [Math.min(...lim), Math.max(...lim)];
    if (axis.ticks) {
      const major = axis.ticks.filter((t) => t >= lo - 1e-9 * (hi - lo) && t <= hi + 1e-9 * (hi - lo));
      const labels = axis.tickLabels
        ? axis.ticks
            .map((_, i) => ({ text: axis.tickLabels?.[i] ?? '' }))
            .filter((_, i) => major.includes(axis.ticks?.[i] as number))
        : formatTicks(major, lo, hi).labels;
      return { major, minor: [], labels, offset: axis.tickLabels ? '' : formatTicks(major, lo, hi).offset };
    }
    if (axis.categories.length) {
      const major = axis.categories.map((_, i) => i).filter((i) => i >= lo && i <= hi);
      return {
        major,
        minor: [],
        labels: major.map((i) => ({ text: axis.categories[i] as string })),
        offset: '',
      };
    }
    if (axis.scale === 'log') {
      const { major, minor } = logTicks(lo, hi, Math.max(2, nbins));
      if (major.length) {
        const shown = inView(major, lo, hi);
        return {
          major: shown,
          minor: inView(minor, lo, hi).filter((m) => !shown.some((s) => Math.abs(s - m) <= 1e-9 * s)),
          labels: shown.map(formatLog),
          offset: '',
        };
      }
    }
    // Like matplotlib, label every located tick (some lie outside the view) so decimals agree, then keep the visible.
    const located = maxNLocator(lo, hi, nbins, false);
    const major = inView(located, lo, hi);
    const { labels, offset } = formatTicks(located, lo, hi);
    return {
      major,
      minor: [],
      labels: labels.filter((_, i) => major.includes(located[i] as number)),
      offset,
    };
  }
}

function tickText(
  label: TickLabel,
  x: number,
  y: number,
  fs: number,
  anchor: 'start' | 'middle' | 'end',
): string {
  const body = label.sup
    ? `${escapeXml(label.text)}${el('tspan', { dy: -0.4 * fs, 'font-size': 0.7 * fs }, escapeXml(label.sup))}`
    : escapeXml(label.text);
  return el(
    'text',
    { class: 'tick-label', x, y: label.sup ? y + 0.1 * fs : y, 'font-size': fs, 'text-anchor': anchor },
    body,
  );
}

const labelWidth = (l: TickLabel, fs: number) =>
  textWidth(l.text, fs) + (l.sup ? textWidth(l.sup, 0.7 * fs) : 0);
const textColor = (o: TextOptions) => (o.color === undefined ? undefined : hex(toRGBA(o.color)));

const isColorTuple = (c: unknown): boolean =>
  Array.isArray(c) && (c.length === 3 || c.length === 4) && c.every((v) => typeof v === 'number');

function broadcast(v: ArrayData | number, n: number, what: string): Float64Array {
  if (typeof v === 'number') return new Float64Array(n).fill(v);
  const arr = toNumbers(v, what);
  if (arr.length === 1) return new Float64Array(n).fill(arr[0] as number);
  if (arr.length !== n) throw new Error(`${what} has ${arr.length} values but there are ${n} positions`);
  return arr;
}

function checkScale(scale: Scale): Scale {
  if (scale !== 'linear' && scale !== 'log')
    throw new Error(`Unknown scale '${scale as string}': use 'linear' or 'log'`);
  return scale;
}

function setTicks(axis: AxisState, ticks: ArrayData, labels?: readonly string[]): void {
  const t = Array.from(toNumbers(ticks, 'ticks'));
  if (labels && labels.length !== t.length)
    throw new Error(
      `The number of FixedLocator locations (${t.length}) does not match the number of labels (${labels.length})`,
    );
  axis.ticks = t;
  axis.tickLabels = labels ? [...labels] : null;
}

/**
 * The positional arguments of `plot`: `(y)`, `(y, fmt)`, `(x, y)`, `(x, y, fmt)`, each optionally followed by options.
 * @example plt.plot(y); plt.plot(y, 'r--'); plt.plot(x, y, { label: 'a' }); plt.plot(x, y, 'bo', { markersize: 4 });
 */
export type PlotArgs =
  | [y: ArrayData, opts?: PlotOptions]
  | [y: ArrayData, fmt: string, opts?: PlotOptions]
  | [x: AxisData, y: ArrayData, opts?: PlotOptions]
  | [x: AxisData, y: ArrayData, fmt: string, opts?: PlotOptions];

function splitPlotArgs(args: PlotArgs): { x?: AxisData; y: ArrayData; fmt?: string; opts: PlotOptions } {
  const rest: unknown[] = [...args];
  let opts: PlotOptions = {};
  const last = rest[rest.length - 1];
  if (last !== null && typeof last === 'object' && !isDataLike(last)) opts = rest.pop() as PlotOptions;
  let fmt: string | undefined;
  if (typeof rest[rest.length - 1] === 'string') fmt = rest.pop() as string;
  if (rest.length === 1)
    return fmt === undefined ? { y: rest[0] as ArrayData, opts } : { y: rest[0] as ArrayData, fmt, opts };
  if (rest.length === 2) {
    const out = { x: rest[0] as AxisData, y: rest[1] as ArrayData, opts };
    return fmt === undefined ? out : { ...out, fmt };
  }
  throw new Error(
    `plot() takes (y), (x, y) or (x, y, fmt) and an options object, but got ${args.length} arguments`,
  );
}

const isDataLike = (v: object): boolean =>
  Array.isArray(v) ||
  ArrayBuffer.isView(v) ||
  typeof (v as { toArray?: unknown }).toArray === 'function' ||
  typeof (v as { length?: unknown }).length === 'number';
