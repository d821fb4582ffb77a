/**
 * @file Tick positions and labels as matplotlib chooses them: `MaxNLocator` steps of 1, 2, 2.5, 5, 10, the
 * `ScalarFormatter`'s shared decimals, offset and `1e6` multiplier, and decades on log axes.
 */

/**
 * A tick label; `sup` is an exponent drawn raised and smaller (`10` with `sup: '−3'` reads 10⁻³).
 * @example const l: TickLabel = { text: '10', sup: '−2' }; // 10⁻²
 */
export interface TickLabel {
  readonly text: string;
  readonly sup?: string;
}

// Exact powers of ten: `10 ** -4` is 0.00009999999999999999 in JavaScript, `1e-4` is not.
const pow10 = (k: number) => Number(`1e${k}`);

const STEPS = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20]; // matplotlib's staircase over [1, 2, 2.5, 5, 10]

/**
 * Widens an empty or inverted interval the way matplotlib's `nonsingular` does.
 * @example nonsingular(1, 1, 0.05) // [0.95, 1.05]
 */
export function nonsingular(vmin: number, vmax: number, expander = 1e-13, tiny = 1e-14): [number, number] {
  if (!Number.isFinite(vmin) || !Number.isFinite(vmax)) return [-expander, expander];
  if (vmax < vmin) [vmin, vmax] = [vmax, vmin];
  const maxabs = Math.max(Math.abs(vmin), Math.abs(vmax));
  if (maxabs < 1e-300) return [-expander, expander];
  if (vmax - vmin <= maxabs * tiny) {
    if (vmin === 0 && vmax === 0) return [-expander, expander];
    return [vmin - expander * Math.abs(vmin), vmax + expander * Math.abs(vmax)];
  }
  return [vmin, vmax];
}

/**
 * Tick positions of matplotlib's `MaxNLocator` (the default `AutoLocator`): at most `nbins` intervals of a
 * step from 1, 2, 2.5, 5, 10 times a power of ten. The result may reach past the interval; see `inView`.
 * @example maxNLocator(-0.5, 10.5, 9) // [-2, 0, 2, 4, 6, 8, 10, 12]
 */
export function maxNLocator(vmin: number, vmax: number, nbins: number, integer = false): number[] {
  [vmin, vmax] = nonsingular(vmin, vmax);
  const dv = vmax - vmin;
  const meanv = (vmax + vmin) / 2;
  const offset =
    Math.abs(meanv) / dv < 100 ? 0 : Math.sign(meanv) * pow10(Math.floor(Math.log10(Math.abs(meanv))));
  const scale = pow10(Math.floor(Math.log10(dv / nbins)));
  const lo = vmin - offset;
  const hi = vmax - offset;
  const rawStep = (hi - lo) / nbins;
  let steps = STEPS.map((s) => s * scale);
  if (integer) steps = steps.filter((s) => s < 1 || Math.abs(s - Math.round(s)) < 0.001);
  let istep = steps.findIndex((s) => s >= rawStep);
  if (istep < 0) istep = steps.length - 1;
  let ticks: number[] = [];
  for (; istep >= 0; istep--) {
    let step = steps[istep] as number;
    if (integer && Math.floor(hi) - Math.ceil(lo) >= 1) step = Math.max(1, step);
    const best = Math.floor(lo / step) * step;
    const tol =
      offset === 0
        ? 1e-10
        : Math.min(0.4999, Math.max(1e-10, 10 ** (Math.log10(Math.abs(offset) / step) - 12)));
    const low = edge(lo - best, step, tol, 'le');
    const high = edge(hi - best, step, tol, 'ge');
    ticks = [];
    for (let n = low; n <= high; n++) ticks.push(n * step + best);
    if (ticks.filter((t) => t >= lo && t <= hi).length >= 2) break;
  }
  // Float noise stays, as in matplotlib (labels are formatted with fixed decimals), except near zero.
  const step = Math.abs((ticks[1] ?? 1) - (ticks[0] ?? 0));
  return ticks.map((t) => (Math.abs(t + offset) < step * 1e-9 ? 0 : t + offset));
}

// Matplotlib's `_Edge_integer`: the largest n with n*step <= x ('le') or the smallest with n*step >= x ('ge').
function edge(x: number, step: number, tol: number, side: 'le' | 'ge'): number {
  const d = Math.floor(x / step);
  const m = (x - d * step) / step;
  if (side === 'le') return Math.abs(m - 1) < tol ? d + 1 : d;
  return Math.abs(m) < tol ? d : d + 1;
}

/**
 * Keeps the ticks inside the view interval (either order), allowing for rounding as matplotlib does.
 * @example inView([-2, 0, 2], -0.5, 2.5) // [0, 2]
 */
export function inView(ticks: readonly number[], a: number, b: number): number[] {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const slop = (hi - lo) * 1e-10;
  return ticks.filter((t) => t >= lo - slop && t <= hi + slop);
}

const MINUS = '\u2212';
const fixMinus = (s: string) => s.replace(/-/g, MINUS);

/**
 * Labels for linear ticks as matplotlib's `ScalarFormatter` writes them: one number of decimals for all,
 * an offset (`+1e3`) when the ticks share leading digits, a multiplier (`1e6`) outside 1e-5..1e6, and `−`.
 * @example formatTicks([0, 0.25, 0.5], 0, 0.5) // { labels: [{ text: '0.00' }, { text: '0.25' }, { text: '0.50' }], offset: '' }
 */
export function formatTicks(
  locs: readonly number[],
  vmin: number,
  vmax: number,
): { labels: TickLabel[]; offset: string } {
  if (locs.length === 0) return { labels: [], offset: '' };
  const [lo, hi] = vmin <= vmax ? [vmin, vmax] : [vmax, vmin];
  const visible = locs.filter((t) => t >= lo && t <= hi);
  const offset = computeOffset(visible);
  const oom = orderOfMagnitude(visible, offset, lo, hi);
  const scaled = (locs.length < 2 ? [...locs, lo, hi] : locs).map((t) => (t - offset) / pow10(oom));
  let range = Math.max(...scaled) - Math.min(...scaled);
  if (range === 0) range = Math.max(...scaled.map(Math.abs));
  if (range === 0) range = 1;
  const rangeOom = Math.floor(Math.log10(range));
  const thresh = 1e-3 * pow10(rangeOom);
  const own = scaled.slice(0, locs.length);
  let sig = Math.max(0, 3 - rangeOom);
  while (sig >= 0 && Math.max(...own.map((v) => Math.abs(v - round(v, sig)))) < thresh) sig--;
  sig++;
  const labels = own.map((v) => ({ text: fixMinus((Math.abs(v) < 1e-8 ? 0 : v).toFixed(sig)) }));
  let offsetText = '';
  if (offset || oom) {
    const sci = oom ? `1e${oom}` : '';
    const off = offset ? `${offset > 0 ? '+' : ''}${formatData(offset)}` : '';
    offsetText = fixMinus(`${sci}${off}`);
  }
  return { labels, offset: offsetText };
}

const round = (v: number, decimals: number) => Math.round(v * pow10(decimals)) / pow10(decimals);

function computeOffset(locs: readonly number[]): number {
  if (locs.length === 0) return 0;
  const lmin = Math.min(...locs);
  const lmax = Math.max(...locs);
  if (lmin === lmax || (lmin <= 0 && lmax >= 0)) return 0;
  const [absMin, absMax] = [Math.abs(lmin), Math.abs(lmax)].sort((p, q) => p - q) as [number, number];
  const sign = Math.sign(lmin);
  const ommMax = Math.ceil(Math.log10(absMax));
  let oom = ommMax;
  while (Math.floor(absMin / pow10(oom)) === Math.floor(absMax / pow10(oom))) oom--;
  oom += 1;
  if ((absMax - absMin) / pow10(oom) <= 1e-2) {
    oom = ommMax;
    while (Math.floor(absMax / pow10(oom)) - Math.floor(absMin / pow10(oom)) <= 1) oom--;
    oom += 1;
  }
  return Math.floor(absMax / pow10(oom)) >= 1000 ? sign * Math.floor(absMax / pow10(oom)) * pow10(oom) : 0;
}

function orderOfMagnitude(locs: readonly number[], offset: number, lo: number, hi: number): number {
  if (locs.length === 0) return 0;
  let oom: number;
  if (offset) oom = Math.floor(Math.log10(hi - lo));
  else {
    const val = Math.max(...locs.map(Math.abs));
    oom = val === 0 ? 0 : Math.floor(Math.log10(val));
  }
  return oom <= -5 || oom >= 6 ? oom : 0;
}

function formatData(value: number): string {
  const e = Math.floor(Math.log10(Math.abs(value)));
  const s = String(round(value / pow10(e), 10));
  return e === 0 ? s : `${s}e${e}`;
}

/**
 * Major and minor tick positions on a log axis, as matplotlib's `LogLocator`: decades (every `stride`-th when
 * there are many) and 2..9 times each decade as minor ticks. Empty `major` means "too narrow for decades".
 * @example logTicks(1e-3, 1, 9).major // [1e-4, 1e-3, 1e-2, 1e-1, 1, 10]
 */
export function logTicks(vmin: number, vmax: number, numticks: number): { major: number[]; minor: number[] } {
  const lo = Math.log10(Math.min(vmin, vmax));
  const hi = Math.log10(Math.max(vmin, vmax));
  const numdec = Math.floor(hi) - Math.ceil(lo);
  let stride = Math.floor((numdec + 1) / numticks) + 1;
  if (stride >= numdec) stride = Math.max(1, numdec - 1);
  const major: number[] = [];
  for (let d = Math.floor(lo) - stride; d < Math.ceil(hi) + 2 * stride; d += stride) major.push(pow10(d));
  const minor: number[] = [];
  if (stride === 1 && numdec <= 10)
    for (let d = Math.floor(lo) - 1; d <= Math.ceil(hi); d++)
      for (let k = 2; k < 10; k++) minor.push(k * pow10(d));
  const visible = inView(major, vmin, vmax).length;
  return { major: visible >= 2 ? major : [], minor };
}

/**
 * The label of a power of ten on a log axis: `10` with the exponent raised.
 * @example formatLog(0.01) // { text: '10', sup: '−2' }
 */
export function formatLog(v: number): TickLabel {
  const e = Math.round(Math.log10(v));
  return { text: '10', sup: fixMinus(String(e)) };
}
