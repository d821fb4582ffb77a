/**
 * @file The stateful `pyplot` interface: a current figure and current axes that `plot`, `title`, `legend`...
 * act on, as in matplotlib.pyplot; each function forwards to the `Figure`/`Axes` method of the same name.
 */
import type { AxesImage, BarContainer, Line2D, PathCollection, Polygon, ScalarMappable } from './artists.js';
import type {
  Axes,
  BarOptions,
  FillBetweenOptions,
  GridOptions,
  HistOptions,
  HistResult,
  ImshowOptions,
  PlotArgs,
  Scale,
  ScatterOptions,
  TextOptions,
} from './axes.js';
import type { ArrayData, AxisData, MatrixData } from './data.js';
import { displayFigure, type ShowOptions } from './display.js';
import { Figure, type FigureOptions, type SaveOptions, type SubplotParams } from './figure.js';
import type { LegendOptions } from './legend.js';

const figures = new Map<number, Figure>();
let current: Figure | null = null;

/**
 * Makes a new figure, or makes figure `num` current (creating it if needed), and returns it.
 * @example const fig = plt.figure({ figsize: [8, 4] });
 */
export function figure(num?: number | FigureOptions, opts: FigureOptions = {}): Figure {
  if (typeof num === 'object') [num, opts] = [undefined, num];
  if (num !== undefined) {
    const existing = figures.get(num);
    if (existing) return (current = existing);
  }
  const fig = new Figure(opts);
  fig.number = num ?? Math.max(0, ...figures.keys()) + 1;
  figures.set(fig.number, fig);
  return (current = fig);
}

/**
 * The current figure (a new one when none is open).
 * @example plt.gcf().suptitle('Results');
 */
export function gcf(): Figure {
  return current && figures.get(current.number) === current ? current : figure();
}

/**
 * The current axes of the current figure.
 * @example plt.gca().setAspect('equal');
 */
export function gca(): Axes {
  return gcf().gca();
}

/**
 * Makes `ax` the current axes (and its figure the current figure).
 * @example plt.sca(axs[1]); plt.title('right');
 */
export function sca(ax: Axes): void {
  for (const fig of figures.values())
    if (fig.axes.includes(ax)) {
      fig.sca(ax);
      current = fig;
      return;
    }
  throw new Error('The Axes is not in any open figure');
}

/**
 * Adds (or selects) subplot `index` of an `nrows` × `ncols` grid in the current figure; `subplot(211)` works too.
 * @example plt.subplot(2, 1, 1); plt.plot(x, y); plt.subplot(2, 1, 2); plt.hist(y);
 */
export function subplot(nrows = 1, ncols?: number, index?: number): Axes {
  return gcf().addSubplot(nrows, ncols, index);
}

/**
 * Options of `subplots`: figure options, plus `squeeze: false` to always get a 2-D grid of axes.
 * @example const [fig, axs] = plt.subplots(1, 1, { squeeze: false, figsize: [4, 4] }); axs[0][0].plot([1, 2]);
 */
export interface SubplotsOptions extends FigureOptions {
  squeeze?: boolean;
}

/**
 * Makes a figure with a grid of axes and returns `[fig, axes]`: one Axes for 1×1, a list for one row or column,
 * else a list of rows (always rows with `squeeze: false`), as matplotlib.
 * @example const [fig, ax] = plt.subplots(); const [fig2, axs] = plt.subplots(2, 2); axs[0][1].plot([1, 2]);
 */
export function subplots(
  nrows: number,
  ncols: number,
  opts: SubplotsOptions & { squeeze: false },
): [Figure, Axes[][]];
export function subplots(opts?: SubplotsOptions): [Figure, Axes];
export function subplots(nrows: 1, ncols?: 1, opts?: SubplotsOptions): [Figure, Axes];
export function subplots(nrows: 1, ncols: number, opts?: SubplotsOptions): [Figure, Axes[]];
export function subplots(nrows: number, ncols?: 1, opts?: SubplotsOptions): [Figure, Axes[]];
export function subplots(nrows: number, ncols: number, opts?: SubplotsOptions): [Figure, Axes[][]];
export function subplots(
  nrows: number | SubplotsOptions = 1,
  ncols = 1,
  opts: SubplotsOptions = {},
): [Figure, Axes | Axes[] | Axes[][]] {
  if (typeof nrows === 'object') [nrows, opts] = [1, nrows];
  const { squeeze = true, ...figOpts } = opts;
  const fig = figure(figOpts);
  const grid: Axes[][] = [];
  for (let r = 0; r < nrows; r++) {
    grid.push([]);
    for (let c = 0; c < ncols; c++) grid[r]?.push(fig.addSubplot(nrows, ncols, r * ncols + c + 1));
  }
  fig.sca(grid[0]?.[0] as Axes);
  if (!squeeze) return [fig, grid];
  if (nrows === 1 && ncols === 1) return [fig, grid[0]?.[0] as Axes];
  if (nrows === 1 || ncols === 1) return [fig, grid.flat()];
  return [fig, grid];
}

/**
 * Plots lines and/or markers on the current axes: `plot(y)`, `plot(x, y)`, `plot(x, y, 'r--', { label })`.
 * @example plt.plot(x, torch.sin(x), 'r-', { label: 'sin', linewidth: 2 });
 */
export function plot(...args: PlotArgs): Line2D[] {
  return gca().plot(...args);
}

/**
 * Plots with a log-scaled y axis (for loss curves), as matplotlib's `semilogy`.
 * @example plt.semilogy(losses);
 */
export function semilogy(...args: PlotArgs): Line2D[] {
  const ax = gca();
  ax.setYscale('log');
  return ax.plot(...args);
}

/**
 * A scatter plot on the current axes.
 * @example plt.scatter(x, y, { c: y, cmap: 'plasma', s: 10 });
 */
export function scatter(x: AxisData, y: AxisData, opts?: ScatterOptions): PathCollection {
  return gca().scatter(x, y, opts);
}

/**
 * A histogram on the current axes; resolves bins, counts and the bars.
 * @example const { n, bins } = plt.hist(torch.randn(1000), { bins: 30 });
 */
export function hist(x: ArrayData, opts?: HistOptions): HistResult {
  return gca().hist(x, opts);
}

/**
 * A bar chart on the current axes; `x` may be category names.
 * @example plt.bar(['cat', 'dog'], [10, 7]);
 */
export function bar(x: AxisData, height: ArrayData | number, opts?: BarOptions): BarContainer {
  return gca().bar(x, height, opts);
}

/**
 * Shows 2-D data as an image on the current axes.
 * @example plt.imshow(images.select(0, 0), { cmap: 'gray' });
 */
export function imshow(data: MatrixData, opts?: ImshowOptions): AxesImage {
  return gca().imshow(data, opts);
}

/**
 * Fills between two curves on the current axes.
 * @example plt.fillBetween(x, mean.sub(std), mean.add(std), { alpha: 0.2 });
 */
export function fillBetween(
  x: ArrayData,
  y1: ArrayData | number,
  y2?: ArrayData | number,
  opts?: FillBetweenOptions,
): Polygon {
  return gca().fillBetween(x, y1, y2, opts);
}

/**
 * Gets the x limits, or sets them: `xlim(0, 10)`, `xlim([0, 10])`, `xlim(undefined, 5)`.
 * @example plt.xlim(0, 10); plt.xlim() // [0, 10]
 */
export function xlim(left?: number | readonly [number, number], right?: number): [number, number] {
  return left === undefined && right === undefined ? gca().getXlim() : gca().setXlim(left, right);
}

/**
 * Gets or sets the y limits.
 * @example plt.ylim(-1, 1);
 */
export function ylim(bottom?: number | readonly [number, number], top?: number): [number, number] {
  return bottom === undefined && top === undefined ? gca().getYlim() : gca().setYlim(bottom, top);
}

/**
 * Labels the x axis of the current axes.
 * @example plt.xlabel('epoch');
 */
export function xlabel(label: string, opts?: TextOptions): void {
  gca().setXlabel(label, opts);
}

/**
 * Labels the y axis of the current axes.
 * @example plt.ylabel('loss');
 */
export function ylabel(label: string, opts?: TextOptions): void {
  gca().setYlabel(label, opts);
}

/**
 * Titles the current axes.
 * @example plt.title('Training');
 */
export function title(label: string, opts?: TextOptions): void {
  gca().setTitle(label, opts);
}

/**
 * Titles the current figure, above all its subplots.
 * @example plt.suptitle('Run 7');
 */
export function suptitle(text: string, opts?: TextOptions): void {
  gcf().suptitle(text, opts);
}

/**
 * Sets the x axis scale of the current axes.
 * @example plt.xscale('log');
 */
export function xscale(scale: Scale): void {
  gca().setXscale(scale);
}

/**
 * Sets the y axis scale of the current axes.
 * @example plt.yscale('log');
 */
export function yscale(scale: Scale): void {
  gca().setYscale(scale);
}

/**
 * Sets the x ticks (and optionally their labels) of the current axes.
 * @example plt.xticks([0, 1, 2], ['a', 'b', 'c']);
 */
export function xticks(ticks: ArrayData, labels?: readonly string[]): void {
  gca().setXticks(ticks, labels);
}

/**
 * Sets the y ticks (and optionally their labels) of the current axes.
 * @example plt.yticks([0, 0.5, 1]);
 */
export function yticks(ticks: ArrayData, labels?: readonly string[]): void {
  gca().setYticks(ticks, labels);
}

/**
 * Shows the legend of the current axes.
 * @example plt.legend(); plt.legend({ loc: 'lower right' }); plt.legend(['train', 'val']);
 */
export function legend(labelsOrOpts?: readonly string[] | LegendOptions, opts?: LegendOptions): void {
  gca().legend(labelsOrOpts, opts);
}

/**
 * Turns the grid of the current axes on or off.
 * @example plt.grid(true);
 */
export function grid(visible?: boolean, opts?: GridOptions): void {
  gca().grid(visible, opts);
}

/**
 * Turns the axis lines and labels of the current axes on or off.
 * @example plt.axis('off');
 */
export function axis(state: 'on' | 'off'): void {
  gca().axis(state);
}

/**
 * Adds a colorbar for the last image (or given mappable) of the current axes.
 * @example plt.imshow(data); plt.colorbar({ label: 'value' });
 */
export function colorbar(
  mappable?: ScalarMappable | { label?: string },
  opts: { label?: string } = {},
): Axes {
  if (mappable && !('cmap' in mappable)) [mappable, opts] = [undefined, mappable];
  const fig = gcf();
  const ax = fig.gca();
  const cax = fig.colorbar(mappable as ScalarMappable | undefined, { ...opts, ax });
  fig.sca(ax);
  return cax;
}

/**
 * Changes the spacing of the current figure's subplot grid.
 * @example plt.subplotsAdjust({ wspace: 0.4 });
 */
export function subplotsAdjust(params: Partial<SubplotParams>): void {
  gcf().subplotsAdjust(params);
}

/**
 * Fits the current figure's subplots so their labels and titles do not overlap, as matplotlib's `tight_layout`.
 * @example plt.subplots(2, 2); ...; plt.tightLayout();
 */
export function tightLayout(opts?: { pad?: number }): void {
  gcf().tightLayout(opts);
}

/**
 * Saves the current figure as PNG or SVG; resolves with the absolute path (a download in browsers).
 * @example await plt.savefig('loss.png');
 */
export function savefig(path: string, opts?: SaveOptions): Promise<string> {
  return gcf().savefig(path, opts);
}

/**
 * Shows every open figure, then closes them: inline in a notebook (Deno's Jupyter kernel, tslab), into the page
 * in a browser, or as a PNG file whose path is printed in plain Node (resolves with the paths written).
 * @example plt.plot([1, 2, 3]); await plt.show();
 */
export async function show(opts: ShowOptions = {}): Promise<string[]> {
  const paths: string[] = [];
  const open = [...figures.values()];
  for (const fig of open) {
    const path = await displayFigure(fig, opts);
    if (path) paths.push(path);
  }
  for (const fig of open) close(fig);
  return paths;
}

/**
 * Redraws the current figure where it is shown, replacing its previous picture (notebook output, page element,
 * or file in Node): the live-update step of a training loop.
 * @example plt.clf(); plt.plot(losses); await plt.draw();
 */
export async function draw(opts: ShowOptions = {}): Promise<void> {
  await displayFigure(gcf(), { ...opts, live: true });
}

/**
 * Redraws every open figure in place and waits `seconds`, as matplotlib's `pause` in an animation loop.
 * @example for (const epoch of plt.trange(10)) { losses.push(train()); plt.cla(); plt.plot(losses); await plt.pause(0); }
 */
export async function pause(seconds = 0, opts: ShowOptions = {}): Promise<void> {
  for (const fig of figures.values()) await displayFigure(fig, { ...opts, live: true });
  if (seconds > 0) await new Promise((done) => setTimeout(done, seconds * 1000));
}

/**
 * Clears the current figure.
 * @example plt.clf();
 */
export function clf(): void {
  gcf().clf();
}

/**
 * Clears the current axes.
 * @example plt.cla();
 */
export function cla(): void {
  gca().cla();
}

/**
 * Closes a figure (the current one by default, a number, a Figure, or `'all'`), forgetting its state.
 * @example plt.close('all');
 */
export function close(fig?: Figure | number | 'all'): void {
  if (fig === 'all') figures.clear();
  else {
    const target = fig === undefined ? current : typeof fig === 'number' ? figures.get(fig) : fig;
    if (target) figures.delete(target.number);
  }
  if (current && !figures.has(current.number)) current = [...figures.values()].pop() ?? null;
}

/**
 * The numbers of the open figures.
 * @example plt.getFignums() // [1, 2]
 */
export function getFignums(): number[] {
  return [...figures.keys()].sort((a, b) => a - b);
}
