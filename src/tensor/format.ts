/**
 * @file PyTorch's tensor printing (torch/_tensor_str.py of 1.13) as a pure function over flat row-major data,
 * with Python's `{:.Nf}` / `{:.Ne}` number formatting done exactly (round-half-even on the double's exact value).
 */

/** The dtypes that `formatTensor` knows how to print. @example const d: FormatDtype = 'float32'; */
export type FormatDtype = 'float32' | 'float64' | 'int32' | 'bool';

/**
 * What `formatTensor` needs to know about a tensor: its contiguous row-major values (bools as 0/1) and metadata.
 * @example const input: FormatInput = { data: [1, 2], shape: [2], dtype: 'int32' };
 */
export interface FormatInput {
  data: ArrayLike<number>;
  shape: readonly number[];
  dtype: FormatDtype;
  requiresGrad?: boolean;
  /** The autograd node's name, such as 'MulBackward0'. */
  gradFn?: string | null;
  /** 'cpu' (the default, not printed) or another device name, printed as `device='webgpu'`. */
  device?: string;
}

/** The current print options, as `torch._tensor_str.PRINT_OPTS` holds them. @example getPrintOptions().precision // 4 */
export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | null;
}

/**
 * The arguments of `setPrintOptions`, as those of `torch.set_printoptions`.
 * @example const o: PrintOptionsInput = { precision: 2, profile: 'short' };
 */
export interface PrintOptionsInput {
  precision?: number;
  threshold?: number;
  edgeitems?: number;
  linewidth?: number;
  profile?: 'default' | 'short' | 'full';
  sciMode?: boolean | null;
}

const PROFILES = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Number.POSITIVE_INFINITY, edgeitems: 3, linewidth: 80 },
} as const;

const PRINT_OPTS: PrintOptions = { ...PROFILES.default, sciMode: null };

/**
 * Sets the print options like `torch.set_printoptions`; as there, `sciMode` is reset to automatic unless given.
 * @example setPrintOptions({ precision: 2 }); setPrintOptions({ profile: 'default' });
 */
export function setPrintOptions(options: PrintOptionsInput = {}): void {
  const { profile, precision, threshold, edgeitems, linewidth, sciMode } = options;
  if (profile !== undefined && !(profile in PROFILES)) {
    throw new Error(`setPrintOptions: profile must be 'default', 'short' or 'full', got '${profile}'`);
  }
  for (const [name, v] of Object.entries({ precision, edgeitems, linewidth })) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
      throw new Error(`setPrintOptions: ${name} must be a non-negative integer, got ${v}`);
    }
  }
  if (precision !== undefined && precision > 100) {
    throw new Error(`setPrintOptions: precision must be at most 100, got ${precision}`);
  }
  if (threshold !== undefined && Number.isNaN(threshold))
    throw new Error('setPrintOptions: threshold is NaN');
  if (profile !== undefined) Object.assign(PRINT_OPTS, PROFILES[profile]);
  if (precision !== undefined) PRINT_OPTS.precision = precision;
  if (threshold !== undefined) PRINT_OPTS.threshold = threshold;
  if (edgeitems !== undefined) PRINT_OPTS.edgeitems = edgeitems;
  if (linewidth !== undefined) PRINT_OPTS.linewidth = linewidth;
  PRINT_OPTS.sciMode = sciMode ?? null;
}

/** A copy of the current print options. @example getPrintOptions() // { precision: 4, threshold: 1000, ... } */
export function getPrintOptions(): PrintOptions {
  return { ...PRINT_OPTS };
}

// ---------------------------------------------------------------------------------------------------------------
// Python float formatting. Note [exact decimal]: Python formats a double from its exact binary value and rounds
// half to even; JS toFixed/toExponential are exact too but round ties away from zero. A tie at N decimals needs
// x * 2^(N+1) to be an integer, so every other value takes the fast JS path and the rest the BigInt path.

const FIVE = 5n;

/** The exact decimal expansion of a finite x > 0: x = 0.DIGITS × 10^point, with no leading zero digit. */
function exactDecimal(x: number): { digits: string; point: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) m |= 1n << 52n;
  const e = (biased === 0 ? 1 : biased) - 1075;
  if (e >= 0) {
    const digits = (m << BigInt(e)).toString();
    return { digits, point: digits.length };
  }
  const digits = (m * FIVE ** BigInt(-e)).toString();
  return { digits, point: digits.length + e };
}

/** The integer digits of 0.DIGITS × 10^keep rounded half to even (digits past the string's end are zeros). */
function roundHalfEven(digits: string, keep: number): string {
  if (keep < 0) return '0';
  const kept = digits.slice(0, keep).padEnd(keep, '0') || '0';
  const rest = digits.slice(keep);
  const first = rest.charCodeAt(0) - 48;
  const last = (kept.charCodeAt(kept.length - 1) - 48) % 2;
  const up = first > 5 || (first === 5 && (/[1-9]/.test(rest.slice(1)) || last === 1));
  return up ? (BigInt(kept) + 1n).toString() : kept;
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/**
 * Python's `format(x, '.{p}f')`: fixed point with p decimals, exact and round-half-even, `-0.0000` for -0.
 * @example formatFixed(0.03125, 4) // '0.0312' (JS toFixed gives '0.0313')
 */
export function formatFixed(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const a = Math.abs(x);
  if (a < 1e21 && p <= 100 && !Number.isInteger(a * 2 ** (p + 1))) return signOf(x) + a.toFixed(p);
  let int = '0';
  if (a !== 0) {
    const { digits, point } = exactDecimal(a);
    int = roundHalfEven(digits, point + p);
  }
  int = int.padStart(p + 1, '0');
  const cut = int.length - p;
  return signOf(x) + int.slice(0, cut) + (p > 0 ? `.${int.slice(cut)}` : '');
}

/**
 * Python's `format(x, '.{p}e')`: one digit, p decimals, an exponent of at least two digits, round-half-even.
 * @example formatExp(12345.678, 4) // '1.2346e+04'
 */
export function formatExp(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const a = Math.abs(x);
  let mant: string;
  let exp: number;
  if (a === 0) {
    mant = '0'.repeat(p + 1);
    exp = 0;
  } else {
    const lowExp = Math.floor(Math.log10(a)) - 1; // never above the true exponent
    if (p <= 100 && !Number.isInteger(a * 2 ** Math.max(0, p + 1 - lowExp))) {
      const [m = '', ex = ''] = a.toExponential(p).split('e');
      mant = m.replace('.', '');
      exp = Number(ex);
    } else {
      const { digits, point } = exactDecimal(a);
      mant = roundHalfEven(digits, p + 1);
      exp = point - 1;
      if (mant.length > p + 1) {
        mant = mant.slice(0, p + 1); // carried into a new digit: 9.99995 -> 10.0000 -> 1.0000e+01
        exp += 1;
      }
    }
  }
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return `${signOf(x)}${mant.slice(0, 1)}${p > 0 ? `.${mant.slice(1)}` : ''}e${e}`;
}

// ---------------------------------------------------------------------------------------------------------------
// torch._tensor_str

/** `_Formatter`: picks int/sci/fixed mode and the common element width from the (summarised) values. */
class Formatter {
  readonly floating: boolean;
  intMode = true;
  sciMode = false;
  maxWidth = 1;

  constructor(
    readonly dtype: FormatDtype,
    values: readonly number[],
    private readonly precision: number,
    sciOverride: boolean | null,
  ) {
    this.floating = dtype === 'float32' || dtype === 'float64';
    if (!this.floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, this.plain(v).length);
    } else {
      const finite = values.filter((v) => Number.isFinite(v) && v !== 0);
      if (finite.length === 0) return; // as PyTorch: the sci_mode option is not applied then
      let min = Number.POSITIVE_INFINITY;
      let max = 0;
      for (const v of finite) {
        const a = Math.abs(v);
        if (a < min) min = a;
        if (a > max) max = a;
        if (!Number.isInteger(v)) this.intMode = false;
      }
      const width = (s: string, extra = 0) => {
        this.maxWidth = Math.max(this.maxWidth, s.length + extra);
      };
      if (this.intMode) {
        if (max / min > 1000 || max > 1e8) {
          this.sciMode = true;
          for (const v of finite) width(formatExp(v, precision));
        } else {
          for (const v of finite) width(formatFixed(v, 0), 1);
        }
      } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
        this.sciMode = true;
        for (const v of finite) width(formatExp(v, precision));
      } else {
        for (const v of finite) width(formatFixed(v, precision));
      }
    }
    if (sciOverride !== null) this.sciMode = sciOverride;
  }

  private plain(v: number): string {
    return this.dtype === 'bool' ? (v !== 0 ? 'True' : 'False') : String(v);
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) s = this.plain(v);
    else if (this.sciMode) s = formatExp(v, this.precision);
    else if (this.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = formatFixed(v, this.precision);
    return s.padStart(this.maxWidth, ' ');
  }
}

interface Walk {
  readonly values: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly summarize: boolean;
  readonly opts: PrintOptions;
}

/**
 * The indices shown along a dimension: all, or the first and last `edgeitems` when summarising. Along the last
 * dimension the tail is Python's `self[-edgeitems:]`, which with edgeitems=0 is the whole vector.
 */
function shown(w: Walk, size: number, vector: boolean): { head: number[]; tail: number[]; cut: boolean } {
  const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
  const e = w.opts.edgeitems;
  if (!(w.summarize && size > 2 * e)) return { head: range(0, size), tail: [], cut: false };
  return { head: range(0, e), tail: range(vector && e === 0 ? 0 : size - e, size), cut: true };
}

/** `get_summarized_data`, flattened: the values the formatter sees. */
function summarizedValues(w: Walk, offset: number, dim: number, out: number[]): number[] {
  if (dim === w.shape.length) {
    out.push(w.values[offset]!);
    return out;
  }
  const { head, tail } = shown(w, w.shape[dim]!, dim === w.shape.length - 1);
  for (const i of [...head, ...tail]) summarizedValues(w, offset + i * w.strides[dim]!, dim + 1, out);
  return out;
}

/** `_tensor_str_with_formatter`: nested brackets, wrapping 1-D rows at linewidth, `...` where summarised. */
function tensorStr(w: Walk, fmt: Formatter, offset: number, dim: number, indent: number): string {
  const nd = w.shape.length - dim;
  if (nd === 0) return fmt.format(w.values[offset]!);
  const size = w.shape[dim]!;
  const stride = w.strides[dim]!;
  const { head, tail, cut } = shown(w, size, nd === 1);
  if (nd === 1) {
    const elementLength = fmt.maxWidth + 2;
    const perLine = Math.max(1, Math.floor((w.opts.linewidth - indent) / elementLength));
    const items = [
      ...head.map((i) => fmt.format(w.values[offset + i * stride]!)),
      ...(cut ? [' ...'] : []),
      ...tail.map((i) => fmt.format(w.values[offset + i * stride]!)),
    ];
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  }
  const sub = (i: number) => tensorStr(w, fmt, offset + i * stride, dim + 1, indent + 1);
  const slices = [...head.map(sub), ...(cut ? ['...'] : []), ...tail.map(sub)];
  return `[${slices.join(`,${'\n'.repeat(nd - 1)}${' '.repeat(indent + 1)}`)}]`;
}

/** `_add_suffixes`: `, suffix` on the last line, or on a new line when it would pass linewidth. */
function addSuffixes(s: string, suffixes: readonly string[], indent: number, linewidth: number): string {
  const parts = [s];
  let lastLineLen = s.length - s.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > linewidth) {
      parts.push(`,\n${' '.repeat(indent)}${suffix}`);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLen += suffix.length + 2;
    }
  }
  return `${parts.join('')})`;
}

/** Python's `str(tuple(shape))`: `(0,)`, `(2, 0)`. */
function pyTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Prints a tensor exactly as PyTorch's `repr(t)` / `str(t)` does, under the current print options.
 * @example formatTensor({ data: [3], shape: [], dtype: 'float32', gradFn: 'AddBackward0' }) // 'tensor(3., grad_fn=<AddBackward0>)'
 */
export function formatTensor(input: FormatInput): string {
  const { data, shape, dtype, requiresGrad = false, gradFn = null, device = 'cpu' } = input;
  for (const d of shape) {
    if (!(Number.isInteger(d) && d >= 0)) {
      throw new Error(`formatTensor: shape must hold non-negative integers, got [${shape.join(', ')}]`);
    }
  }
  const numel = shape.reduce((a, b) => a * b, 1);
  if (data.length !== numel) {
    throw new Error(
      `formatTensor: shape [${shape.join(', ')}] has ${numel} elements but data has ${data.length}; ` +
        'pass the contiguous row-major values',
    );
  }
  const opts = getPrintOptions();
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (device !== 'cpu') suffixes.push(`device='${device}'`);
  let body: string;
  if (numel === 0) {
    if (shape.length !== 1) suffixes.push(`size=${pyTuple(shape)}`);
    if (dtype !== 'float32') suffixes.push(`dtype=torch.${dtype}`);
    body = '[]';
  } else {
    if (dtype === 'float64' || dtype === 'int32') suffixes.push(`dtype=torch.${dtype}`);
    // float32 values print through their double value, as tolist() gives them in PyTorch.
    const values = dtype === 'float32' ? Float64Array.from(data, Math.fround) : data;
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const w: Walk = { values, shape, strides, summarize: numel > opts.threshold, opts };
    const fmt = new Formatter(dtype, summarizedValues(w, 0, 0, []), opts.precision, opts.sciMode);
    body = tensorStr(w, fmt, 0, 0, indent);
  }
  if (gradFn) suffixes.push(`grad_fn=<${gradFn}>`);
  else if (requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent, opts.linewidth);
}
