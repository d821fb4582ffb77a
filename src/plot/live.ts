/**
 * @file A live training curve: record named values (loss, accuracy...) each step and the figure redraws in place,
 * as a PNG file in Node, an updating output in a notebook, or an element in a web page.
 */
import type { Axes } from './axes.js';
import { displayFigure, type ShowOptions } from './display.js';
import { Figure, type FigureOptions } from './figure.js';

let livePlots = 0;

/**
 * Options of `LivePlot`.
 * @example new plt.LivePlot({ path: 'loss.png', logy: true, every: 10 });
 */
export interface LivePlotOptions extends FigureOptions, ShowOptions {
  title?: string;
  /** Default `'step'`. */
  xlabel?: string;
  ylabel?: string;
  /** Log-scaled y axis, often clearer for losses. */
  logy?: boolean;
  /** Redraw every `every` updates (default 1). */
  every?: number;
}

/**
 * A value to record: a number, or a one-element tensor (anything with `item()`).
 * @example await live.update({ loss: loss }); // a one-element tensor works as well as loss.item()
 */
export type Scalar = number | { item(): number };

/**
 * A figure of training curves that redraws itself as values arrive; in Node it writes a PNG (`path`, or the
 * `show()` location) and prints the path once.
 * @example const live = new plt.LivePlot({ path: 'loss.png', logy: true });
 * for (let step = 0; step < 100; step++) await live.update({ loss: train() });
 */
export class LivePlot {
  readonly figure: Figure;
  readonly ax: Axes;
  /** Recorded points per name. */
  readonly history = new Map<string, { x: number[]; y: number[] }>();
  private updates = 0;
  private drawing: Promise<void> | null = null;
  private dirty = false;
  private readonly stem: string;

  constructor(private readonly opts: LivePlotOptions = {}) {
    this.figure = new Figure(opts);
    this.stem = `live-${++livePlots}`;
    this.ax = this.figure.addSubplot(1, 1, 1);
  }

  /**
   * Records values (at `step`, default: one past the last step of that name) and redraws.
   * @example await live.update({ train: loss, val: valLoss }, epoch);
   */
  update(values: Readonly<Record<string, Scalar>>, step?: number): Promise<void> {
    for (const [name, v] of Object.entries(values)) {
      const y = typeof v === 'number' ? v : v.item();
      let series = this.history.get(name);
      if (!series) this.history.set(name, (series = { x: [], y: [] }));
      series.x.push(step ?? (series.x.length ? (series.x[series.x.length - 1] as number) + 1 : 0));
      series.y.push(y);
    }
    this.updates++;
    return this.updates % Math.max(1, this.opts.every ?? 1) === 0
      ? this.draw()
      : (this.drawing ?? Promise.resolve());
  }

  /**
   * Redraws now; draws that arrive while one is running are merged into one more.
   * @example await live.draw();
   */
  draw(): Promise<void> {
    this.dirty = true;
    this.drawing ??= (async () => {
      try {
        while (this.dirty) {
          this.dirty = false;
          this.render();
          await displayFigure(this.figure, { ...this.showOptions(), live: true, stem: this.stem });
        }
      } finally {
        this.drawing = null;
      }
    })();
    return this.drawing;
  }

  /**
   * Draws the final picture and waits for it.
   * @example await live.close();
   */
  async close(): Promise<void> {
    await this.draw();
  }

  private showOptions(): ShowOptions {
    const out: ShowOptions = {};
    if (this.opts.path !== undefined) out.path = this.opts.path;
    if (this.opts.target !== undefined) out.target = this.opts.target;
    return out;
  }

  private render(): void {
    const ax = this.ax;
    ax.cla();
    for (const [name, { x, y }] of this.history) {
      const last = y[y.length - 1] as number;
      ax.plot(x, y, { label: `${name} ${Number.isFinite(last) ? last.toPrecision(4) : last}` });
    }
    if (this.opts.logy) ax.setYscale('log');
    ax.setXlabel(this.opts.xlabel ?? 'step');
    if (this.opts.ylabel) ax.setYlabel(this.opts.ylabel);
    if (this.opts.title) ax.setTitle(this.opts.title);
    ax.grid(true);
    if (this.history.size) ax.legend({ loc: 'upper right' });
  }
}
