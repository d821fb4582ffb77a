/**
 * @file A tqdm-style progress bar for long loops: wraps an iterable (sync or async) or counts by hand, and
 * prints `desc: 40%|████      | 4/10 [00:01<00:01,  3.21it/s, loss=0.23]` to stderr, redrawn in place.
 */

/**
 * Where the bar is written: anything with `write` (Node's `process.stderr` by default).
 * @example const bar = plt.tqdm(xs, { file: { write: (s) => log.push(s) } });
 */
export interface ProgressStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Options of `tqdm` and `trange`, named as tqdm's.
 * @example plt.trange(100, { desc: 'epochs', leave: false });
 */
export interface TqdmOptions {
  /** Number of expected iterations (default: the iterable's `length` or `size`, if any). */
  total?: number;
  /** Text before the bar. */
  desc?: string;
  /** Keep the finished bar on screen (default true). */
  leave?: boolean;
  /** Unit name (default `'it'`). */
  unit?: string;
  /** Width of the whole line (default: the terminal's width, or a 10-character bar). */
  ncols?: number;
  /** Least seconds between redraws (default 0.1). */
  mininterval?: number;
  /** Print nothing. */
  disable?: boolean;
  /** Output stream (default `process.stderr`; nothing in browsers). */
  file?: ProgressStream;
  /** Starting count (default 0). */
  initial?: number;
}

const BLOCKS = ' ▏▎▍▌▋▊▉█';

/**
 * Formats seconds as tqdm does: `MM:SS`, or `H:MM:SS` past an hour.
 * @example formatInterval(75) // '01:15'
 */
export function formatInterval(seconds: number): string {
  const t = Math.floor(seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const two = (v: number) => String(v).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

// tqdm's format_num: 3 significant digits, or the plain number when that is shorter.
const formatNum = (v: unknown): string => {
  if (typeof v !== 'number') return String(v);
  const g = Number.isInteger(v) ? String(v) : Number(v.toPrecision(3)).toString();
  const plain = String(v);
  return g.length <= plain.length ? g : plain;
};

const active = new Set<Tqdm<unknown>>();

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now()) / 1000;

/**
 * A progress bar. Iterate it (`for (const x of tqdm(xs))`, `for await` too) or call `update()` by hand.
 * @example const bar = new Tqdm(undefined, { total: 100 }); bar.update(10); bar.close();
 */
export class Tqdm<T = number> implements Iterable<T>, AsyncIterable<T> {
  /** Iterations done so far. */
  n: number;
  /** Iterations expected (undefined when unknown). */
  total: number | undefined;
  private desc: string;
  private postfix = '';
  private readonly start = now();
  private lastPrint = Number.NEGATIVE_INFINITY;
  private lastLen = 0;
  private closed = false;
  private readonly stream: ProgressStream | null;

  constructor(
    private readonly iterable?: Iterable<T> | AsyncIterable<T>,
    private readonly opts: TqdmOptions = {},
  ) {
    const sized = iterable as { length?: unknown; size?: unknown } | undefined;
    const guess =
      typeof sized?.length === 'number'
        ? sized.length
        : typeof sized?.size === 'number'
          ? sized.size
          : undefined;
    this.total = opts.total ?? guess;
    this.n = opts.initial ?? 0;
    this.desc = opts.desc ?? '';
    const stderr = (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr;
    this.stream = opts.disable ? null : (opts.file ?? stderr ?? null);
    if (this.stream) active.add(this as Tqdm<unknown>);
    this.refresh(true);
  }

  /**
   * Advances the count by `n` (default 1) and redraws if enough time has passed.
   * @example bar.update(batch.length);
   */
  update(n = 1): void {
    this.n += n;
    this.refresh(this.total !== undefined && this.n >= this.total);
  }

  /**
   * Sets the text before the bar.
   * @example bar.setDescription(`epoch ${epoch}`);
   */
  setDescription(desc: string): void {
    this.desc = desc;
    this.refresh(true);
  }

  /**
   * Shows values after the bar (`loss=0.235`); numbers keep three significant digits, as in tqdm.
   * @example bar.setPostfix({ loss: loss.item(), acc: 0.91 });
   */
  setPostfix(values: Readonly<Record<string, unknown>>): void {
    this.postfix = Object.entries(values)
      .map(([k, v]) => `${k}=${formatNum(v)}`)
      .join(', ');
    this.refresh(true);
  }

  /**
   * Prints a message on its own line above the open bars without breaking them, as Python's `tqdm.write`.
   * @example Tqdm.write('checkpoint saved');
   */
  static write(message: string): void {
    for (const bar of active) bar.clearLine();
    console.log(message);
    for (const bar of active) bar.refresh(true);
  }

  /**
   * Prints a message above the bar without breaking it.
   * @example bar.write('checkpoint saved');
   */
  write(message: string): void {
    if (!this.stream) return;
    this.clearLine();
    this.stream.write(`${message}\n`);
    this.refresh(true);
  }

  private clearLine(): void {
    this.stream?.write(`\r${' '.repeat(this.lastLen)}\r`);
    this.lastLen = 0;
  }

  /**
   * Draws the final state and ends the line (or clears it when `leave` is false).
   * @example bar.close();
   */
  close(): void {
    if (this.closed) return;
    this.refresh(true);
    this.closed = true;
    active.delete(this as Tqdm<unknown>);
    if (!this.stream) return;
    if (this.opts.leave ?? true) this.stream.write('\n');
    else this.stream.write(`\r${' '.repeat(this.lastLen)}\r`);
  }

  /**
   * The bar as text, as tqdm's `format_meter`.
   * @example String(bar) // ' 40%|████      | 4/10 [00:01<00:01,  3.21it/s]'
   */
  toString(): string {
    const elapsed = now() - this.start;
    const unit = this.opts.unit ?? 'it';
    const rate = elapsed > 0 && this.n > 0 ? this.n / elapsed : undefined;
    const rateText =
      rate === undefined
        ? `?${unit}/s`
        : rate < 1
          ? `${(1 / rate).toFixed(2).padStart(5)}s/${unit}`
          : `${rate.toFixed(2).padStart(5)}${unit}/s`;
    const post = this.postfix ? `, ${this.postfix}` : '';
    const desc = this.desc ? `${this.desc}: ` : '';
    if (this.total === undefined || this.total <= 0)
      return `${desc}${this.n}${unit} [${formatInterval(elapsed)}, ${rateText}${post}]`;
    const frac = Math.min(1, this.n / this.total);
    const remaining = rate === undefined ? '?' : formatInterval(Math.max(0, this.total - this.n) / rate);
    const left = `${desc}${Math.floor(frac * 100)
      .toString()
      .padStart(3)}%|`;
    const right = `| ${this.n}/${this.total} [${formatInterval(elapsed)}<${remaining}, ${rateText}${post}]`;
    const ncols = this.opts.ncols ?? (this.stream?.isTTY ? this.stream.columns : undefined);
    const width = ncols === undefined ? 10 : Math.max(1, ncols - left.length - right.length);
    const eighths = Math.floor(frac * width * 8);
    const full = Math.floor(eighths / 8);
    let bar = '█'.repeat(full);
    if (full < width) bar += BLOCKS[eighths % 8] ?? ' ';
    return left + bar.padEnd(width, ' ') + right;
  }

  private refresh(force: boolean): void {
    if (!this.stream || this.closed) return;
    const t = now();
    if (!force && t - this.lastPrint < (this.opts.mininterval ?? 0.1)) return;
    this.lastPrint = t;
    const line = this.toString();
    this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.lastLen - line.length))}`);
    this.lastLen = line.length;
  }

  *[Symbol.iterator](): Iterator<T> {
    const it = this.iterable as Iterable<T> | undefined;
    if (!it || typeof it[Symbol.iterator] !== 'function')
      throw new TypeError('This progress bar wraps no iterable');
    try {
      for (const x of it) {
        yield x;
        this.update();
      }
    } finally {
      this.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const it = this.iterable;
    if (!it) throw new TypeError('This progress bar wraps no iterable');
    try {
      for await (const x of it) {
        yield x;
        this.update();
      }
    } finally {
      this.close();
    }
  }
}

/**
 * Wraps an iterable in a progress bar, as Python's `tqdm(iterable)`.
 * @example for (const batch of plt.tqdm(loader, { desc: 'train' })) step(batch);
 */
export function tqdm<T>(iterable: Iterable<T> | AsyncIterable<T>, opts?: TqdmOptions): Tqdm<T> {
  return new Tqdm(iterable, opts);
}

/**
 * A progress bar over `0..n-1` (or `start..stop` by `step`), as tqdm's `trange`.
 * @example for (const epoch of plt.trange(10, { desc: 'epochs' })) train(epoch);
 */
export function trange(n: number, opts?: TqdmOptions): Tqdm<number>;
export function trange(start: number, stop: number, step?: number, opts?: TqdmOptions): Tqdm<number>;
export function trange(
  a: number,
  b?: number | TqdmOptions,
  c?: number | TqdmOptions,
  d?: TqdmOptions,
): Tqdm<number> {
  const [start, stop, step, opts] =
    typeof b === 'number'
      ? [a, b, typeof c === 'number' ? c : 1, typeof c === 'object' ? c : d]
      : [0, a, 1, b];
  if (step === 0) throw new Error('trange() arg 3 must not be zero');
  const count = Math.max(0, Math.ceil((stop - start) / step));
  const range = {
    length: count,
    *[Symbol.iterator]() {
      for (let i = 0; i < count; i++) yield start + i * step;
    },
  };
  return new Tqdm(range, { total: count, ...opts });
}
