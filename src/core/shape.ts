/**
 * @file Shapes, strides and broadcasting as pure functions over number arrays.
 * A view is (shape, strides, offset) into a flat storage, exactly as in PyTorch.
 */
import { check, checkType, fmtShape, isInt } from '../util/assert.js';

/** A tensor shape. @example const s: Shape = [2, 3]; */
export type Shape = readonly number[];

/**
 * Number of elements of a shape (1 for a scalar).
 * @example numel([2, 3]) // 6
 */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Row-major (C-contiguous) strides of a shape.
 * @example contiguousStrides([2, 3]) // [3, 1]
 */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

/**
 * True when (shape, strides) is row-major contiguous (size-1 dims may have any stride, like PyTorch).
 * @example isContiguousLayout([2, 3], [3, 1]) // true
 */
export function isContiguousLayout(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 0) return true;
    if (d !== 1) {
      if (strides[i] !== expected) return false;
      expected *= d;
    }
  }
  return true;
}

/**
 * Equality of two shapes.
 * @example sameShape([2, 3], [2, 3]) // true
 */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Checks that every entry is a non-negative integer size (or -1 where `allowInfer`), naming the bad one.
 * @example checkSizes([2, 3]) // [2, 3]
 */
export function checkSizes(
  sizes: readonly unknown[],
  what = 'size',
  allowInfer = false,
  negative = 'Trying to create tensor with negative dimension',
): number[] {
  for (const s of sizes) {
    checkType(
      isInt(s),
      () =>
        `${what} must be a list of integers, but got ${fmtValue(s)} in (${sizes.map(fmtValue).join(', ')})`,
    );
    check(s >= 0 || (allowInfer && s === -1), () => `${negative} ${s}: [${sizes.join(', ')}]`);
  }
  return sizes as number[];
}

function fmtValue(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/**
 * Wraps a possibly negative dim into [0, rank), with PyTorch's error when out of range.
 * @example normalizeDim(-1, 3) // 2
 */
export function normalizeDim(dim: number, rank: number): number {
  checkType(isInt(dim), () => `dim must be an integer, but got ${fmtValue(dim)}`);
  const r = Math.max(rank, 1);
  check(
    dim >= -r && dim < r,
    () => `Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`,
  );
  return dim < 0 ? dim + r : dim;
}

/**
 * Normalizes a dim list (or all dims when undefined), refusing repeats.
 * @example normalizeDims([-1, 0], 3) // [2, 0]
 */
export function normalizeDims(dims: number | readonly number[] | undefined | null, rank: number): number[] {
  if (dims === undefined || dims === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out: number[] = [];
  for (const d of list) {
    const n = normalizeDim(d, rank);
    check(!out.includes(n), () => `dim ${n} appears multiple times in the list of dims`);
    out.push(n);
  }
  return out;
}

/**
 * NumPy broadcasting of several shapes, with PyTorch's error message.
 * @example broadcastShapes([2, 1], [3]) // [2, 3]
 */
export function broadcastShapes(...shapes: Shape[]): number[] {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      const cur = out[o]!;
      if (d === cur || d === 1) continue;
      if (cur === 1) out[o] = d;
      else {
        const a = shapes.find((x) => x.length - rank + o >= 0 && x[x.length - rank + o] !== 1) ?? shapes[0]!;
        throw new Error(
          `The size of tensor a (${a[a.length - rank + o] ?? cur}) must match the size of tensor b (${d}) at ` +
            `non-singleton dimension ${o}. Shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together`,
        );
      }
    }
  }
  return out;
}

/**
 * Strides that read a tensor of `shape`/`strides` as if it had `target` shape (0 strides on broadcast dims).
 * @example broadcastStrides([3], [1], [2, 3]) // [0, 1]
 */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++)
    out[off + i] = shape[i] === 1 && target[off + i] !== 1 ? 0 : strides[i]!;
  return out;
}

/**
 * Resolves a `-1` entry of a reshape target against `n` elements, with PyTorch's error message.
 * @example inferSize([-1, 2], 6) // [3, 2]
 */
export function inferSize(shape: readonly number[], n: number): number[] {
  checkSizes(shape, 'shape', true, 'invalid shape dimension');
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === -1) {
      check(infer < 0, 'only one dimension can be inferred');
      infer = i;
    } else known *= shape[i]!;
  }
  const out = shape.slice();
  if (infer >= 0) {
    check(
      known !== 0 || n !== 0,
      () =>
        `cannot reshape tensor of 0 elements into shape ${fmtShape(shape)} because the unspecified dimension size ` +
        '-1 can be any value and is ambiguous',
    );
    check(
      known !== 0 && n % known === 0,
      () => `shape '${fmtShape(shape)}' is invalid for input of size ${n}`,
    );
    out[infer] = n / known;
  } else check(known === n, () => `shape '${fmtShape(shape)}' is invalid for input of size ${n}`);
  return out;
}

/**
 * Strides for viewing (shape, strides) as `target` without copying, or null when a copy is needed
 * (PyTorch's computeStride).
 * @example viewStrides([2, 3], [3, 1], [6]) // [1]
 */
export function viewStrides(shape: Shape, strides: readonly number[], target: Shape): number[] | null {
  const n = numel(shape);
  if (n === 0 || shape.length === 0) return contiguousStrides(target);
  const out = new Array<number>(target.length);
  let viewD = target.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= target[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/**
 * Merges adjacent dims that every operand walks contiguously, so most loops become one flat loop.
 * Returns the reduced shape and per-operand strides.
 * @example coalesceDims([2, 3], [[3, 1]]) // [[6], [[1]]]
 */
export function coalesceDims(
  shape: readonly number[],
  strides: (readonly number[])[],
): [number[], number[][]] {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * size)) {
      outShape[last] = outShape[last]! * size;
      for (let k = 0; k < strides.length; k++) outStrides[k]![last] = strides[k]![d]!;
    } else {
      outShape.push(size);
      for (let k = 0; k < strides.length; k++) outStrides[k]!.push(strides[k]![d]!);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(0);
  }
  return [outShape, outStrides];
}
