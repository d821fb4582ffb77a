/**
 * @file dtypes: the four element types, their typed arrays, and PyTorch's type-promotion lattice.
 * Promotion follows torch.result_type: categories bool < int < float, and dimensioned tensors outrank
 * zero-dim tensors, which outrank JS numbers (PyTorch's "wrapped numbers").
 */

/** Name of a dtype: `'float32' | 'float64' | 'int32' | 'bool'`. @example const n: DTypeName = 'float32'; */
export type DTypeName = 'float32' | 'float64' | 'int32' | 'bool';

/** Any typed array a dtype stores its elements in. @example const a: TypedArray = new Float32Array(3); */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Constructor of a dtype's typed array. @example new float32.ArrayType(4) */
export type TypedArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor;

/**
 * An element type. Compare by identity: `t.dtype === torch.float32`.
 * @example String(torch.float32) // 'torch.float32'
 */
export class DType {
  /** @internal */
  constructor(
    /** Short name, e.g. `'float32'`. */
    readonly name: DTypeName,
    /** Bytes per element. */
    readonly itemsize: number,
    /** The typed array that stores elements of this dtype. */
    readonly ArrayType: TypedArrayCtor,
    /** Promotion category: 0 bool, 1 integer, 2 floating point. */
    readonly category: 0 | 1 | 2,
  ) {}
  /** True for float32 and float64. @example torch.float32.isFloatingPoint // true */
  get isFloatingPoint(): boolean {
    return this.category === 2;
  }
  /** `'torch.float32'`, as PyTorch prints it. @example String(torch.int32) // 'torch.int32' */
  toString(): string {
    return `torch.${this.name}`;
  }
  /** Same as toString, for Node's util.inspect. @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** 32-bit float, the default dtype. @example torch.zeros(2, { dtype: torch.float32 }) */
export const float32: DType = new DType('float32', 4, Float32Array, 2);
/** 64-bit float (`torch.double`). @example torch.zeros(2, { dtype: torch.float64 }) */
export const float64: DType = new DType('float64', 8, Float64Array, 2);
/** 32-bit signed integer (`torch.int`). @example torch.arange(3, { dtype: torch.int32 }) */
export const int32: DType = new DType('int32', 4, Int32Array, 1);
/** Boolean, stored one byte per element. @example torch.tensor([1, 0]).gt(0).dtype // torch.bool */
export const bool: DType = new DType('bool', 1, Uint8Array, 0);

/** Every dtype by name. @example DTYPES.float64 === float64 */
export const DTYPES: Readonly<Record<DTypeName, DType>> = { float32, float64, int32, bool };

/**
 * The smallest dtype both `a` and `b` convert to without losing category (torch.promote_types).
 * @example promoteTypes(int32, float32) // float32
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a.category !== b.category) return a.category > b.category ? a : b;
  // same category, different dtypes: only float32/float64 can get here
  return a.itemsize >= b.itemsize ? a : b;
}

/** One operand of a promotion: a tensor's dtype and rank, or a JS number. @example {dtype: float32, dim: 2} */
export type PromotionOperand = { readonly dtype: DType; readonly dim: number } | number | boolean;

/**
 * torch.result_type over tensors and scalars: dimensioned tensors win over zero-dim tensors, which win
 * over numbers, unless a lower priority operand is of a higher category (then the default dtype of that
 * category is used for numbers: float32 for non-integers, int32 for integers).
 * @example resultType([{ dtype: int32, dim: 1 }, 2.5]) // float32
 */
export function resultType(operands: readonly PromotionOperand[]): DType {
  const [a, b] = operands;
  // fast path: two dimensioned tensors of one dtype
  if (
    operands.length === 2 &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    a.dtype === b.dtype &&
    a.dim > 0 &&
    b.dim > 0
  )
    return a.dtype;
  let dimT: DType | null = null;
  let zeroT: DType | null = null;
  let scalarCat = -1;
  for (const o of operands) {
    if (typeof o === 'number') scalarCat = Math.max(scalarCat, Number.isInteger(o) ? 1 : 2);
    else if (typeof o === 'boolean') scalarCat = Math.max(scalarCat, 0);
    else if (o.dim > 0) dimT = dimT ? promoteTypes(dimT, o.dtype) : o.dtype;
    else zeroT = zeroT ? promoteTypes(zeroT, o.dtype) : o.dtype;
  }
  let out = dimT;
  if (zeroT) out = out === null ? zeroT : zeroT.category > out.category ? zeroT : out;
  if (scalarCat >= 0) {
    const s = scalarCat === 2 ? float32 : scalarCat === 1 ? int32 : bool;
    out = out === null ? s : s.category > out.category ? s : out;
  }
  return out ?? float32;
}

/**
 * Converts a JS value to what a dtype stores: truncation toward zero for int32, 0/1 for bool.
 * @example castScalar(2.7, int32) // 2
 */
export function castScalar(v: number, dtype: DType): number {
  switch (dtype.name) {
    case 'float32':
      return Math.fround(v);
    case 'float64':
      return v;
    case 'int32':
      return v | 0;
    case 'bool':
      return v !== 0 ? 1 : 0;
    default:
      return dtype.name satisfies never;
  }
}
