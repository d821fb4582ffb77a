/**
 * @file `Figure`: the page that holds axes (laid out on matplotlib's default subplot grid), a title and
 * colorbars; renders to SVG, to PNG (resvg in Node, a canvas in browsers), and to Jupyter's display.
 */

import type { ScalarMappable } from './artists.js';
import { AxesImage } from './artists.js';
import { Axes, type RenderContext, type TextOptions } from './axes.js';
import { download, isBrowser, pngInBrowser } from './browser.js';
import { type Color, hex, toRGBA } from './colors.js';
import { isNode, svgToPng, writeFileAtomic } from './node.js';
import { el, escapeXml } from './svg.js';
import { ASCENT, DESCENT } from './text.js';

/**
 * Options of `figure()`.
 * @example plt.figure({ figsize: [8, 3], dpi: 150 });
 */
export interface FigureOptions {
  /** Width and height in inches (default [6.4, 4.8]). */
  figsize?: readonly [number, number];
  /** Pixels per inch (default 100). */
  dpi?: number;
  /** Background colour (default white). */
  facecolor?: Color;
}

/**
 * Options of `savefig`.
 * @example await plt.savefig('plot.png', { dpi: 200, transparent: true });
 */
export interface SaveOptions {
  /** `'png'` or `'svg'`; by default taken from the file name's extension. */
  format?: 'png' | 'svg';
  /** Pixels per inch of a PNG (default: the figure's dpi). */
  dpi?: number;
  /** Leave the figure and axes backgrounds transparent. */
  transparent?: boolean;
}

/**
 * Subplot spacing as fractions of the figure, named as matplotlib's `subplots_adjust` arguments.
 * @example plt.subplotsAdjust({ left: 0.1, wspace: 0.4 });
 */
export interface SubplotParams {
  left: number;
  right: number;
  bottom: number;
  top: number;
  wspace: number;
  hspace: number;
}

const DEFAULT_PARAMS: SubplotParams = {
  left: 0.125,
  right: 0.9,
  bottom: 0.11,
  top: 0.88,
  wspace: 0.2,
  hspace: 0.2,
};
const FONT_FAMILY =
  "'DejaVu Sans', 'Bitstream Vera Sans', 'Computer Modern Sans Serif', 'Lucida Grande', Verdana, Geneva, Lucid, Arial, Helvetica, 'Avant Garde', sans-serif";

let figureIds = 0;

/**
 * A figure: a page of `figsize` inches at `dpi` holding axes. Usually made by `plt.figure()` or `plt.subplots()`.
 * @example const fig = new Figure({ figsize: [8, 3] }); const ax = fig.addSubplot(1, 2, 1); ax.plot([1, 2]);
 */
export class Figure {
  figsize: [number, number];
  dpi: number;
  facecolor: Color;
  /** The figure number that `plt.figure(num)` and `plt.close(num)` refer to. */
  number = 0;
  private readonly uid = ++figureIds;
  private axesList: Axes[] = [];
  private grid = new Map<Axes, { nrows: number; ncols: number; index: number; span?: number }>();
  private params: SubplotParams = { ...DEFAULT_PARAMS };
  private sup: { text: string; opts: TextOptions } | null = null;
  private current: Axes | null = null;
  private colorbars = new Map<Axes, Axes>();

  constructor(opts: FigureOptions = {}) {
    this.figsize = [...(opts.figsize ?? [6.4, 4.8])];
    this.dpi = opts.dpi ?? 100;
    this.facecolor = opts.facecolor ?? 'white';
    if (!(this.figsize[0] > 0 && this.figsize[1] > 0 && this.dpi > 0))
      throw new Error(`figure size must be positive, but got figsize=[${this.figsize}] and dpi=${this.dpi}`);
  }

  /** The figure's axes, in the order they were added (colorbars included). */
  get axes(): readonly Axes[] {
    return this.axesList;
  }

  /** Width and height in pixels. */
  get size(): [number, number] {
    return [this.figsize[0] * this.dpi, this.figsize[1] * this.dpi];
  }

  /**
   * Adds (or returns the existing) subplot `index` (1-based, row by row) of an `nrows` × `ncols` grid;
   * `addSubplot(221)` is `addSubplot(2, 2, 1)`.
   * @example const ax = fig.addSubplot(2, 1, 2);
   */
  addSubplot(nrows = 1, ncols?: number, index?: number): Axes {
    if (ncols === undefined && index === undefined && nrows >= 111 && nrows <= 999) {
      [nrows, ncols, index] = [Math.floor(nrows / 100), Math.floor(nrows / 10) % 10, nrows % 10];
    }
    ncols ??= 1;
    index ??= 1;
    if (!(Number.isInteger(nrows) && Number.isInteger(ncols) && nrows > 0 && ncols > 0))
      throw new Error(`Number of rows and columns must be positive integers, not ${nrows} and ${ncols}`);
    if (!(Number.isInteger(index) && index >= 1 && index <= nrows * ncols))
      throw new Error(`num must be an integer with 1 <= num <= ${nrows * ncols}, not ${index}`);
    for (const [ax, g] of this.grid)
      if (g.nrows === nrows && g.ncols === ncols && g.index === index) return (this.current = ax);
    const ax = new Axes(this.cellPosition(nrows, ncols, index));
    this.grid.set(ax, { nrows, ncols, index });
    this.axesList.push(ax);
    this.current = ax;
    return ax;
  }

  /**
   * Adds axes at `[left, bottom, width, height]` in figure fractions.
   * @example const inset = fig.addAxes([0.6, 0.6, 0.25, 0.25]);
   */
  addAxes(rect: readonly [number, number, number, number]): Axes {
    const ax = new Axes(rect);
    this.axesList.push(ax);
    this.current = ax;
    return ax;
  }

  /**
   * The current axes (made as subplot 1 of 1 when there is none).
   * @example fig.gca().plot([1, 2, 3]);
   */
  gca(): Axes {
    const cur = this.current;
    return cur && this.axesList.includes(cur) ? cur : this.addSubplot(1, 1, 1);
  }

  /**
   * Makes `ax` the current axes.
   * @example fig.sca(axs[0]);
   */
  sca(ax: Axes): void {
    if (!this.axesList.includes(ax)) throw new Error('The Axes must have been created in this figure');
    this.current = ax;
  }

  /**
   * Removes all axes and the title.
   * @example fig.clf();
   */
  clf(): void {
    this.axesList = [];
    this.grid.clear();
    this.colorbars.clear();
    this.sup = null;
    this.current = null;
  }

  /**
   * Sets a centred title above all subplots.
   * @example fig.suptitle('Experiment 3');
   */
  suptitle(text: string, opts: TextOptions = {}): void {
    this.sup = { text, opts };
  }

  /**
   * Changes the spacing of the subplot grid (fractions of the figure), like matplotlib's `subplots_adjust`.
   * @example fig.subplotsAdjust({ hspace: 0.4 });
   */
  subplotsAdjust(params: Partial<SubplotParams>): void {
    this.params = { ...this.params, ...params };
    for (const [ax, g] of this.grid) {
      ax.position = this.cellPosition(g.nrows, g.ncols, g.index);
      const cax = this.colorbars.get(ax);
      if (cax) this.placeColorbar(ax, cax);
    }
  }

  /**
   * Adjusts the subplot grid so tick labels, axis labels and titles fit without overlapping, with `pad` font
   * sizes (default 1.08) of space around them, as matplotlib's `tight_layout`.
   * @example const [fig, axs] = plt.subplots(2, 2); ...; fig.tightLayout();
   */
  tightLayout(opts: { pad?: number } = {}): void {
    const cells = [...this.grid.entries()];
    const first = cells[0]?.[1];
    if (!first || cells.some(([, g]) => g.nrows !== first.nrows || g.ncols !== first.ncols)) return;
    const { nrows, ncols } = first;
    const [W, H] = this.size;
    const pad = (opts.pad ?? 1.08) * 10 * (this.dpi / 72);
    this.toSVG(); // lays everything out once, recording each Axes' tight box
    // Per cell: how far decorations reach beyond the cell on each side, in pixels.
    const reach = cells.map(([ax, g]) => {
      const [l, b, w, h] = this.cellPosition(nrows, ncols, g.index);
      const cell = { x0: l * W, y0: (1 - b - h) * H, x1: (l + w) * W, y1: (1 - b) * H };
      const boxes = [ax.tight, this.colorbars.get(ax)?.tight].filter((t) => t !== null && t !== undefined);
      const x0 = Math.min(cell.x0, ...boxes.map((t) => t.x));
      const y0 = Math.min(cell.y0, ...boxes.map((t) => t.y));
      const x1 = Math.max(cell.x1, ...boxes.map((t) => t.x + t.w));
      const y1 = Math.max(cell.y1, ...boxes.map((t) => t.y + t.h));
      const row = Math.floor((g.index - 1) / ncols);
      const col = (g.index - 1) % ncols;
      return { row, col, left: cell.x0 - x0, right: x1 - cell.x1, top: cell.y0 - y0, bottom: y1 - cell.y1 };
    });
    type Side = 'left' | 'right' | 'top' | 'bottom';
    const inCol = (side: Side, c: number) =>
      Math.max(0, ...reach.filter((r) => r.col === c).map((r) => r[side]));
    const inRow = (side: Side, r: number) =>
      Math.max(0, ...reach.filter((q) => q.row === r).map((q) => q[side]));
    // A suptitle keeps the band it is drawn in.
    const supSize = (this.sup?.opts.fontsize ?? 12) * (this.dpi / 72);
    const supBottom = this.sup ? 0.02 * H + (ASCENT + DESCENT) * supSize : 0;
    const left = (inCol('left', 0) + pad) / W;
    const right = 1 - (inCol('right', ncols - 1) + pad) / W;
    const top = 1 - (supBottom + inRow('top', 0) + pad) / H;
    const bottom = (inRow('bottom', nrows - 1) + pad) / H;
    let gapX = 0;
    for (let c = 0; c < ncols - 1; c++) gapX = Math.max(gapX, inCol('right', c) + inCol('left', c + 1));
    let gapY = 0;
    for (let r = 0; r < nrows - 1; r++) gapY = Math.max(gapY, inRow('bottom', r) + inRow('top', r + 1));
    const gx = (gapX + pad) / W;
    const gy = (gapY + pad) / H;
    const cellW = (right - left - gx * (ncols - 1)) / ncols;
    const cellH = (top - bottom - gy * (nrows - 1)) / nrows;
    if (!(cellW > 0 && cellH > 0)) return; // decorations larger than the figure: leave the layout alone
    this.subplotsAdjust({ left, right, top, bottom, wspace: gx / cellW, hspace: gy / cellH });
  }

  private placeColorbar(parent: Axes, cax: Axes): void {
    const [l, b, w, h] = parent.position;
    // matplotlib's make_axes: fraction 0.15, pad 0.05, aspect 20, the bar at the left of its slot.
    parent.position = [l, b, w * 0.8, h];
    parent.anchor = [1, 0.5];
    const [W, H] = this.size;
    cax.position = [l + w * 0.85, b, (h * H) / 20 / W, h];
  }

  /**
   * Adds a colorbar for `mappable` (default: the last image or colour-mapped scatter of the current axes),
   * taking space at the right of `ax`, as matplotlib's `fig.colorbar`.
   * @example const im = ax.imshow(data); fig.colorbar(im, { label: 'intensity' });
   */
  colorbar(mappable?: ScalarMappable, opts: { ax?: Axes; label?: string } = {}): Axes {
    const parent = opts.ax ?? this.gca();
    const m = mappable ?? parent.mappable;
    if (!m)
      throw new Error(
        'No mappable was found to use for colorbar creation: call imshow() or scatter(..., { c }) first',
      );
    const cax = new Axes(parent.position);
    this.placeColorbar(parent, cax);
    this.colorbars.set(parent, cax);
    cax.colorbarOf = m;
    cax.ticksRight();
    const gradient = new AxesImage(
      {
        rows: 256,
        cols: 1,
        channels: 1,
        values: Float64Array.from({ length: 256 }, (_, i) => m.vmin + ((m.vmax - m.vmin) * (i + 0.5)) / 256),
      },
      m.cmap,
      m.cmapName,
      m.vmin,
      m.vmax,
      [0, 1, m.vmin, m.vmax],
      'lower',
      'bilinear',
      1,
    );
    cax.addArtist(gradient);
    cax.setXlim(0, 1);
    cax.setYlim(m.vmin, m.vmax === m.vmin ? m.vmin + 1 : m.vmax);
    if (opts.label) cax.setYlabel(opts.label);
    this.axesList.push(cax);
    return cax;
  }

  private cellPosition(nrows: number, ncols: number, index: number): [number, number, number, number] {
    const p = this.params;
    const cellW = (p.right - p.left) / (ncols + p.wspace * (ncols - 1));
    const cellH = (p.top - p.bottom) / (nrows + p.hspace * (nrows - 1));
    const row = Math.floor((index - 1) / ncols);
    const col = (index - 1) % ncols;
    const left = p.left + col * cellW * (1 + p.wspace);
    const bottom = p.top - (row + 1) * cellH - row * cellH * p.hspace;
    return [left, bottom, cellW, cellH];
  }

  /**
   * The figure as an SVG document (text in DejaVu Sans, falling back to the system's sans-serif).
   * @example document.body.innerHTML = fig.toSVG();
   */
  toSVG(opts: { transparent?: boolean } = {}): string {
    const [W, H] = this.size;
    let n = 0;
    const ctx: RenderContext = {
      width: W,
      height: H,
      pt: this.dpi / 72,
      id: (prefix) => `${prefix}-f${this.uid}-${n++}`,
    };
    let body = '';
    const face = toRGBA(this.facecolor);
    if (!opts.transparent && face.a > 0)
      body += el('rect', {
        class: 'figure-background',
        width: W,
        height: H,
        fill: hex(face),
        'fill-opacity': face.a < 1 ? face.a : undefined,
      });
    this.axesList.forEach((ax, i) => {
      body += ax.render(ctx, i);
    });
    if (this.sup) {
      const size = (this.sup.opts.fontsize ?? 12) * ctx.pt;
      body += el(
        'text',
        {
          class: 'suptitle',
          x: W / 2,
          y: 0.02 * H + ASCENT * size,
          'font-size': size,
          'text-anchor': 'middle',
        },
        escapeXml(this.sup.text),
      );
    }
    let svg = el(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        'xmlns:xlink': 'http://www.w3.org/1999/xlink',
        width: W,
        height: H,
        viewBox: `0 0 ${W} ${H}`,
        role: 'img',
        'aria-label': this.describe(),
        'font-family': FONT_FAMILY,
      },
      el('g', { id: `figure_${this.number || this.uid}` }, body),
    );
    if (opts.transparent) svg = svg.replace(/<rect class="axes-background"[^>]*\/>/g, '');
    return svg;
  }

  /**
   * The figure as PNG bytes, `dpi` pixels per inch (default the figure's). In Node text is drawn with the
   * DejaVu Sans font shipped in npm, so the picture is the same on every machine.
   * @example const png = await fig.toPNG({ dpi: 200 });
   */
  async toPNG(opts: { dpi?: number; transparent?: boolean } = {}): Promise<Uint8Array> {
    const zoom = (opts.dpi ?? this.dpi) / this.dpi;
    const svg = this.toSVG(opts.transparent === undefined ? {} : { transparent: opts.transparent });
    if (isNode()) return svgToPng(svg, zoom);
    if (isBrowser()) return pngInBrowser(svg, this.size[0] * zoom, this.size[1] * zoom);
    throw new Error('PNG output needs Node (resvg) or a browser (canvas); use toSVG() here');
  }

  /**
   * Saves the figure as `.png` or `.svg` (by extension or `format`) and resolves with the absolute path;
   * in a browser it offers the file as a download instead.
   * @example await fig.savefig('loss.png', { dpi: 150 });
   */
  async savefig(path: string, opts: SaveOptions = {}): Promise<string> {
    const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
    const format = opts.format ?? ext ?? 'png';
    if (format !== 'png' && format !== 'svg')
      throw new Error(`Format '${format}' is not supported (supported formats: png, svg)`);
    const file = ext ? path : `${path}.${format}`;
    const transparent = opts.transparent === undefined ? {} : { transparent: opts.transparent };
    const data =
      format === 'svg'
        ? this.toSVG(transparent)
        : await this.toPNG({ ...transparent, ...(opts.dpi ? { dpi: opts.dpi } : {}) });
    if (isNode()) return writeFileAtomic(file, data);
    if (isBrowser()) {
      download(data, file, format === 'svg' ? 'image/svg+xml' : 'image/png');
      return file;
    }
    throw new Error('savefig needs Node (to write a file) or a browser (to download it)');
  }

  /** What Jupyter kernels (Deno's) show for a figure that ends a cell: the SVG. */
  [Symbol.for('Jupyter.display')](): Record<string, string> {
    return { 'image/svg+xml': this.toSVG(), 'text/plain': this.toString() };
  }

  /** Words for screen readers: the titles, else the figure's repr. */
  private describe(): string {
    const titles = [this.sup?.text ?? '', ...this.axesList.map((ax) => ax.titleText())].filter(Boolean);
    return titles.length ? titles.join('; ') : this.toString();
  }

  /**
   * A one-line description, as matplotlib's repr.
   * @example String(plt.figure()) // '<Figure size 640x480 with 0 Axes>'
   */
  toString(): string {
    const [W, H] = this.size;
    return `<Figure size ${Math.round(W)}x${Math.round(H)} with ${this.axesList.length} Axes>`;
  }
}
