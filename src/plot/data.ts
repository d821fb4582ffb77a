/**
 * @file Turns what users plot (arrays, typed arrays, tensors, nested arrays) into flat float64 data.
 * Knows no tensor class: anything with `toArray()` (and `shape` for 2-D data) is accepted.
 */

/**
 * 1-D data: an array, a typed array, or anything with `toArray()` (a tsgrad `Tensor`, whatever its shape).
 * @example const a: ArrayData = [1, 2, 3]; const b: ArrayData = new Float32Array(3); const c: ArrayData = torch.arange(3);
 */
export type ArrayData = ArrayLike<number> | { toArray(): ArrayLike<number> };

/**
 * 2-D (or H×W×3/4 colour) data for `imshow`: nested arrays, or a tensor-like `{ shape, toArray() }`.
 * @example const img: MatrixData = [[0, 1], [2, 3]]; const t: MatrixData = torch.rand(28, 28);
 */
export type MatrixData =
  | ArrayLike<ArrayLike<number>>
  | ArrayLike<ArrayLike<ArrayLike<number>>>
  | { readonly shape: readonly number[]; toArray(): ArrayLike<number> };

/**
 * Positions on an axis: numbers, or category names (`bar(['a', 'b'], [3, 4])`).
 * @example const x: AxisData = ['mon', 'tue']; const y: AxisData = [1, 2];
 */
export type AxisData = ArrayData | readonly string[];

/**
 * A dense row-major grid of values, `channels` per cell (1 for scalars, 3 for RGB, 4 for RGBA).
 * @example toGrid([[1, 2], [3, 4]]).cols // 2
 */
export interface Grid {
  readonly rows: number;
  readonly cols: number;
  readonly channels: number;
  readonly values: Float64Array;
}

const hasToArray = (d: unknown): d is { toArray(): ArrayLike<number> } =>
  typeof d === 'object' && d !== null && typeof (d as { toArray?: unknown }).toArray === 'function';

/**
 * Reads 1-D data into a new Float64Array (booleans become 0/1; a tensor of any shape is flattened).
 * @example toNumbers([1, 2]) // Float64Array [1, 2]
 */
export function toNumbers(data: ArrayData, what = 'data'): Float64Array {
  const src = hasToArray(data) ? data.toArray() : data;
  if (src === null || typeof src !== 'object' || typeof src.length !== 'number')
    throw new TypeError(`${what} must be an array, a typed array or a tensor, but got ${typeof data}`);
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i] as unknown;
    if (typeof v === 'number') out[i] = v;
    else if (typeof v === 'boolean' || typeof v === 'bigint') out[i] = Number(v);
    else if (Array.isArray(v) || ArrayBuffer.isView(v))
      throw new TypeError(`${what} must be 1-D, but element ${i} is an array; flatten it first`);
    else throw new TypeError(`${what} must hold numbers, but element ${i} is ${typeof v}`);
  }
  return out;
}

/**
 * True when positions are category names rather than numbers.
 * @example isCategorical(['a', 'b']) // true
 */
export function isCategorical(data: AxisData): data is readonly string[] {
  return Array.isArray(data) && data.length > 0 && typeof data[0] === 'string';
}

/**
 * Reads 2-D data (H×W, or H×W×3 / H×W×4 colour) into a row-major grid.
 * @example toGrid([[1, 2], [3, 4]]) // { rows: 2, cols: 2, channels: 1, values: Float64Array [1, 2, 3, 4] }
 */
export function toGrid(data: MatrixData, what = 'image data'): Grid {
  if (hasToArray(data) && 'shape' in data) {
    const shape = data.shape;
    const flat = toNumbers(data, what);
    const [rows = 0, cols = 0, channels = 1] = shape;
    if (shape.length < 2 || shape.length > 3 || (shape.length === 3 && channels !== 3 && channels !== 4))
      throw new TypeError(
        `${what} must have shape (M, N), (M, N, 3) or (M, N, 4), but got [${shape.join(', ')}]`,
      );
    return { rows, cols, channels, values: flat };
  }
  const outer = data as ArrayLike<ArrayLike<number> | ArrayLike<ArrayLike<number>>>;
  const rows = outer.length;
  const first = outer[0];
  const cols = first?.length ?? 0;
  const cell = first?.[0] as unknown;
  const channels = typeof cell === 'object' && cell !== null ? (cell as ArrayLike<number>).length : 1;
  if (channels !== 1 && channels !== 3 && channels !== 4)
    throw new TypeError(
      `${what} must have shape (M, N), (M, N, 3) or (M, N, 4), but got (${rows}, ${cols}, ${channels})`,
    );
  const values = new Float64Array(rows * cols * channels);
  for (let r = 0; r < rows; r++) {
    const row = outer[r];
    if (!row || row.length !== cols)
      throw new TypeError(
        `${what} must be rectangular: row 0 has ${cols} entries but row ${r} has ${row?.length ?? 0}`,
      );
    for (let c = 0; c < cols; c++) {
      const v = row[c] as unknown;
      const base = (r * cols + c) * channels;
      if (channels === 1) values[base] = Number(v);
      else for (let k = 0; k < channels; k++) values[base + k] = Number((v as ArrayLike<number>)[k]);
    }
  }
  return { rows, cols, channels, values };
}

/**
 * Smallest and largest finite values (`[Infinity, -Infinity]` when there are none); `positive` skips values <= 0.
 * @example finiteRange(new Float64Array([3, NaN, -1])) // [-1, 3]
 */
export function finiteRange(v: ArrayLike<number>, positive = false): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    if (!Number.isFinite(x) || (positive && x <= 0)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}
