/**
 * @file Operands: JS numbers wrapped as 0-dim tensors, and PyTorch's result dtype for an op's operands.
 */
import { getBackend } from '../backend/devices.js';
import { type DType, type PromotionOperand, resultType } from '../core/dtype.js';
import { TensorImpl } from '../graph/tensor-impl.js';
import { checkType } from '../util/assert.js';
import { scalarLike } from './kernels.js';

/** A tensor or a JS number/boolean (PyTorch's Python scalars). @example const o: Operand = 2; */
export type Operand = TensorImpl | number | boolean;

function promotionOperand(o: Operand): PromotionOperand {
  if (!(o instanceof TensorImpl)) return o;
  return o.wrappedNumber !== null ? o.wrappedNumber : { dtype: o.dtype, dim: o.shape.length };
}

/**
 * torch.result_type of operands; wrapped numbers count as the numbers they hold.
 * @example resultTypeOf([x, 2.5]) // float32 for an int32 x
 */
export function resultTypeOf(operands: readonly Operand[]): DType {
  return resultType(operands.map(promotionOperand));
}

/**
 * Tensors for every operand (numbers become wrapped 0-dim tensors on the device of the first tensor) and the
 * promoted dtype, refusing anything that is neither.
 * @example const [[x, y], dtype] = toTensors('mul', [a, 2]);
 */
export function toTensors(op: string, operands: readonly Operand[]): [TensorImpl[], DType] {
  // fast path: two tensors of one dtype, neither a wrapped number (nothing to wrap or promote)
  if (operands.length === 2) {
    const a = operands[0];
    const b = operands[1];
    if (
      a instanceof TensorImpl &&
      b instanceof TensorImpl &&
      a.dtype === b.dtype &&
      a.wrappedNumber === null &&
      b.wrappedNumber === null
    )
      return [[a, b], a.dtype];
  }
  let like: TensorImpl | undefined;
  operands.forEach((o, i) => {
    checkType(
      o instanceof TensorImpl || typeof o === 'number' || typeof o === 'boolean',
      () => `${op}(): argument ${i} must be a Tensor or a number, but got ${describe(o)}`,
    );
    if (!like && o instanceof TensorImpl) like = o;
  });
  const dtype = resultTypeOf(operands);
  const tensors = operands.map((o) =>
    o instanceof TensorImpl
      ? o
      : scalarLike(typeof o === 'boolean' ? Number(o) : o, like ?? getBackend('cpu')),
  );
  return [tensors, dtype];
}

/**
 * One operand as a tensor (numbers wrapped on `like`'s device).
 * @example asTensor(2, x)
 */
export function asTensor(o: Operand, like: TensorImpl): TensorImpl {
  return o instanceof TensorImpl ? o : scalarLike(typeof o === 'boolean' ? Number(o) : o, like);
}

/**
 * A short description of a bad argument for error messages.
 * @example describe(null) // 'null'
 */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v === 'string' ? `the string '${v}'` : `${typeof v} ${String(v)}`;
}
