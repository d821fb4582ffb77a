/**
 * @file Building a tensor from JS data: numbers, booleans, nested arrays and typed arrays, with PyTorch's
 * checks for ragged nesting and bad element types.
 */
import type { Backend } from '../backend/backend.js';
import { bool, castScalar, type DType, float32, float64, int32, type TypedArray } from '../core/dtype.js';
import { numel } from '../core/shape.js';
import { makeTensor, Storage, type TensorImpl } from '../graph/tensor-impl.js';
import { check, checkType } from '../util/assert.js';

/** What `torch.tensor` accepts: a number, a boolean, nested arrays of them, or a typed array. @example [[1, 2], [3, 4]] */
export type NestedData = number | boolean | InputArray | readonly NestedData[];
/** Typed arrays torch.tensor reads: integer ones up to 32 bits (int32; Uint32Array as float64) and float ones. @example new Int16Array([1, 2]) */
export type InputArray = TypedArray | Int8Array | Int16Array | Uint16Array | Uint8ClampedArray | Uint32Array;

function isTyped(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** The dtype data implies when none is given (float32 for numbers, bool for booleans, the typed array's own). */
export function inferDtype(data: NestedData): DType {
  if (isTyped(data)) {
    const t = data as ArrayBufferView;
    checkType(
      !(t instanceof BigInt64Array || t instanceof BigUint64Array),
      'torch.tensor: 64-bit integer arrays are not supported (tsgrad has no int64); use an Int32Array or a Float64Array',
    );
    // integers of up to 16 bits and Int32Array fit int32; Uint32Array and Float64Array need float64 to stay exact
    if (t instanceof Float64Array || t instanceof Uint32Array) return float64;
    if (t instanceof Float32Array) return float32;
    return int32;
  }
  let v: unknown = data;
  while (Array.isArray(v) && v.length > 0) v = v[0];
  if (isTyped(v)) return inferDtype(v);
  return typeof v === 'boolean' ? bool : float32;
}

function shapeOf(data: NestedData): number[] {
  const shape: number[] = [];
  let v: unknown = data;
  while (Array.isArray(v) || isTyped(v)) {
    shape.push((v as ArrayLike<unknown>).length);
    if (isTyped(v) || (v as unknown[]).length === 0) break;
    v = (v as unknown[])[0];
  }
  return shape;
}

/**
 * A new contiguous tensor holding `data` (copied) in `dtype` on `backend`.
 * @example fromData([[1, 2], [3, 4]], float32, getBackend('cpu'))
 */
export function fromData(data: NestedData, dtype: DType | undefined, backend: Backend): TensorImpl {
  checkType(
    typeof data === 'number' || typeof data === 'boolean' || Array.isArray(data) || isTyped(data),
    () =>
      `Could not infer dtype of ${data === null ? 'null' : typeof data}: torch.tensor expects a number, a boolean, nested arrays or a typed array`,
  );
  const dt = dtype ?? inferDtype(data);
  const shape = shapeOf(data);
  const n = numel(shape);
  const out = new dt.ArrayType(n);
  let k = 0;
  const put = (v: unknown, path: string): void => {
    checkType(
      typeof v === 'number' || typeof v === 'boolean',
      () =>
        `new(): invalid data type '${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}' at ${path || 'the top level'}; expected a number or a boolean`,
    );
    out[k++] = castScalar(Number(v), dt);
  };
  const walk = (v: unknown, d: number, path: string): void => {
    if (d === shape.length) {
      put(v, path);
      return;
    }
    const isArr = Array.isArray(v) || isTyped(v);
    check(isArr, () => `expected sequence of length ${shape[d]} at dim ${d} (got a scalar at ${path})`);
    const a = v as ArrayLike<unknown>;
    check(
      a.length === shape[d],
      () => `expected sequence of length ${shape[d]} at dim ${d} (got ${a.length})`,
    );
    if (isTyped(v) && d === shape.length - 1) {
      for (let i = 0; i < a.length; i++) out[k++] = castScalar(Number(a[i]), dt);
      return;
    }
    for (let i = 0; i < a.length; i++) walk(a[i], d + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return makeTensor(new Storage(backend, backend.fromArray(dt, out), dt, n), shape);
}
