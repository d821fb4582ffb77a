/**
 * @file Matrix products: mm, bmm, mv, dot, and matmul's dispatch over ranks (with batch broadcasting).
 */
import { broadcastShapes } from '../core/shape.js';
import type { TensorImpl } from '../graph/tensor-impl.js';
import { check, fmtShape } from '../util/assert.js';
import { applyOp, type OpSpec } from './define.js';
import { mul } from './elementwise.js';
import { kMatmul, kView } from './kernels.js';
import { expand, reshape, squeezeInplaceDim, t, transpose, unsafeView, unsqueeze } from './movement.js';

type T = TensorImpl;

const as3d = (x: T): T =>
  kView(x, [1, x.shape[0]!, x.shape[1]!], [0, x.strides[0]!, x.strides[1]!], x.offset);
const from3d = (x: T): T => kView(x, [x.shape[1]!, x.shape[2]!], [x.strides[1]!, x.strides[2]!], x.offset);

/** Which operands of a 2-D product are stored column-major (transposed contiguous, as nn.Linear's Wᵀ). */
export interface MmLayout {
  readonly aCol: boolean;
  readonly bCol: boolean;
}

const colMajor = (x: T): boolean => x.strides[0] === 1 && x.strides[1] === x.shape[0];

/**
 * The layout record of a·b, taken at forward time (the backward may see only shape stubs of unsaved inputs).
 * @example applyOp(MmSpec, [a, b], mmLayout(a, b))
 */
export function mmLayout(a: T, b: T): MmLayout {
  return { aCol: colMajor(a), bCol: colMajor(b) };
}

/**
 * The gradients of a·b for the incoming g, as PyTorch's mm_mat1/mat2_backward: gᵀ-side products are chosen so each
 * gradient has its operand's layout. For nn.Linear's x·Wᵀ the weight's gradient is (gᵀ·x)ᵀ, row-major once
 * transposed back, so accumulating it needs no transposing copy.
 * @example mmGrads(g, a, b, [true, true], mmLayout(a, b))
 */
export function mmGrads(g: T, a: T, b: T, need: readonly boolean[], layout: MmLayout): [T | null, T | null] {
  const [needA, needB] = [need[0] ?? false, need[1] ?? false];
  return [
    needA ? (layout.aCol ? t(mm(b, t(g))) : mm(g, t(b))) : null,
    needB ? (layout.bCol ? t(mm(t(g), a)) : mm(t(a), g)) : null,
  ];
}

const MmSpec: OpSpec<MmLayout> = {
  name: 'MmBackward0',
  forward: ([a, b]) => from3d(kMatmul(as3d(a!), as3d(b!), a!.dtype)),
  save: ([needA, needB]) => (needA && needB ? [0, 1] : needA ? [1] : needB ? [0] : []),
  backward: (g, [a, b], _o, need, layout) => mmGrads(g, a!, b!, need, layout),
};

const BmmSpec: OpSpec<void> = {
  name: 'BmmBackward0',
  forward: ([a, b]) => kMatmul(a!, b!, a!.dtype),
  save: ([needA, needB]) => (needA && needB ? [0, 1] : needA ? [1] : needB ? [0] : []),
  backward: (g, [a, b], _o, [needA, needB]) => [
    needA ? bmm(g, transpose(b!, 1, 2)) : null,
    needB ? bmm(transpose(a!, 1, 2), g) : null,
  ],
};

const DotSpec: OpSpec<void> = {
  name: 'DotBackward0',
  forward: ([a, b]) => {
    const r = kMatmul(
      kView(a!, [1, 1, a!.shape[0]!], [0, 0, a!.strides[0]!], a!.offset),
      kView(b!, [1, b!.shape[0]!, 1], [0, b!.strides[0]!, 0], b!.offset),
      a!.dtype,
    );
    return kView(r, [], [], 0);
  },
  save: ([needA, needB]) => (needA && needB ? [0, 1] : needA ? [1] : needB ? [0] : []),
  backward: (g, [a, b], _o, [needA, needB]) => [needA ? mul(g, b!) : null, needB ? mul(g, a!) : null],
};

const MvSpec: OpSpec<void> = {
  name: 'MvBackward0',
  forward: ([a, v]) => {
    const r = kMatmul(as3d(a!), kView(v!, [1, v!.shape[0]!, 1], [0, v!.strides[0]!, 0], v!.offset), a!.dtype);
    return kView(r, [a!.shape[0]!], [1], 0);
  },
  save: ([needA, needV]) => (needA && needV ? [0, 1] : needA ? [1] : needV ? [0] : []),
  // d(Av) = dA·v + A·dv: the outer product g vᵀ and Aᵀg
  backward: (g, [a, v], _o, [needA, needV]) => [
    needA ? mul(unsqueeze(g, 1), unsqueeze(v!, 0)) : null,
    needV ? mv(t(a!), g) : null,
  ],
};

/** c10's names of dtypes, as PyTorch's messages print them. */
const C10_NAMES = { float32: 'float', float64: 'double', int32: 'int', bool: 'bool' } as const;
const SCALAR_NAMES = { float32: 'Float', float64: 'Double', int32: 'Int', bool: 'Bool' } as const;

function checkSameDtype(a: T, b: T, what: 'mm' | 'bmm' | 'mv' | 'dot'): void {
  if (a.dtype === b.dtype) return;
  const fix = ` Convert one with .to(${a.dtype}) first.`;
  if (what === 'dot')
    throw new Error(
      `dot : expected both vectors to have same dtype, but found ${SCALAR_NAMES[a.dtype.name]} and ` +
        `${SCALAR_NAMES[b.dtype.name]}.${fix}`,
    );
  const names = what === 'bmm' ? 'batch1 and batch2' : what === 'mv' ? 'mat and vec' : 'm1 and m2';
  throw new Error(
    `expected ${names} to have the same dtype, but got: ${C10_NAMES[a.dtype.name]} != ${C10_NAMES[b.dtype.name]}.${fix}`,
  );
}

/**
 * Matrix product of two 2-D tensors.
 * @example torch.mm(a, b) // [2, 3] @ [3, 4] -> [2, 4]
 */
export function mm(a: T, b: T): T {
  check(a.shape.length === 2, () => `mm: self must be a matrix, got a ${a.shape.length}-D tensor`);
  check(b.shape.length === 2, () => `mm: mat2 must be a matrix, got a ${b.shape.length}-D tensor`);
  check(
    a.shape[1] === b.shape[0],
    () =>
      `mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`,
  );
  checkSameDtype(a, b, 'mm');
  return applyOp(MmSpec, [a, b], mmLayout(a, b));
}

/**
 * Batched matrix product of two 3-D tensors.
 * @example torch.bmm(a, b) // [B, n, k] @ [B, k, m] -> [B, n, m]
 */
export function bmm(a: T, b: T): T {
  check(a.shape.length === 3, () => `batch1 must be a 3D tensor, got ${fmtShape(a.shape)}`);
  check(b.shape.length === 3, () => `batch2 must be a 3D tensor, got ${fmtShape(b.shape)}`);
  check(
    a.shape[0] === b.shape[0] && a.shape[2] === b.shape[1],
    () =>
      `Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}].`,
  );
  checkSameDtype(a, b, 'bmm');
  return applyOp(BmmSpec, [a, b], undefined);
}

/**
 * Inner product of two 1-D tensors.
 * @example torch.dot(a, b)
 */
export function dot(a: T, b: T): T {
  check(
    a.shape.length === 1 && b.shape.length === 1,
    () => `1D tensors expected, but got ${a.shape.length}D and ${b.shape.length}D tensors`,
  );
  check(
    a.shape[0] === b.shape[0],
    () =>
      `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
  );
  checkSameDtype(a, b, 'dot');
  return applyOp(DotSpec, [a, b], undefined);
}

/**
 * Matrix-vector product.
 * @example torch.mv(A, v)
 */
export function mv(a: T, v: T): T {
  check(
    a.shape.length === 2 && v.shape.length === 1,
    () => `vector + matrix @ vector expected, got ${a.shape.length}, ${v.shape.length}`,
  );
  check(
    a.shape[1] === v.shape[0],
    () => `size mismatch, got input (${a.shape[0]}), mat (${a.shape[0]}x${a.shape[1]}), vec (${v.shape[0]})`,
  );
  checkSameDtype(a, v, 'mv');
  return applyOp(MvSpec, [a, v], undefined);
}

/**
 * Matrix product with PyTorch's rank rules: dot, mv, mm, and batched products with broadcast batch dims.
 * @example torch.matmul(x, w.t())
 */
export function matmul(a: T, b: T): T {
  const ra = a.shape.length;
  const rb = b.shape.length;
  check(
    ra > 0 && rb > 0,
    () => `both arguments to matmul need to be at least 1D, but they are ${ra}D and ${rb}D`,
  );
  if (ra === 1 && rb === 1) return dot(a, b);
  if (ra === 2 && rb === 1) return mv(a, b);
  if (ra === 1 && rb === 2) return squeezeInplaceDim(mm(unsqueeze(a, 0), b), 0); // PyTorch's mm(...).squeeze_(0)
  if (ra === 2 && rb === 2) return mm(a, b);
  const k = a.shape[ra - 1]!;
  const kb = rb === 1 ? b.shape[0]! : b.shape[rb - 2]!;
  check(
    k === kb,
    () =>
      `mat1 and mat2 shapes cannot be multiplied (${fmtShape(a.shape)} and ${fmtShape(b.shape)}: ` +
      `the last dim of the first (${k}) must equal the ${rb === 1 ? 'size' : 'second-to-last dim'} of the second (${kb}))`,
  );
  if (ra >= 3 && rb <= 2) {
    // fold the batch into the rows: one mm (PyTorch's _unsafe_view of the folded product)
    const rows = reshape(a, [-1, k]);
    const out = rb === 1 ? mv(rows, b) : mm(rows, b);
    return unsafeView(out, rb === 1 ? a.shape.slice(0, -1) : [...a.shape.slice(0, -1), b.shape[1]!]);
  }
  const a2 = ra === 1 ? unsqueeze(a, 0) : a;
  const b2 = rb === 1 ? unsqueeze(b, 1) : b;
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const n = a2.shape[a2.shape.length - 2]!;
  const m = b2.shape[b2.shape.length - 1]!;
  const bsz = batch.reduce((x, y) => x * y, 1);
  const a3 = reshape(expand(a2, [...batch, n, k]), [bsz, n, k]);
  const b3 = reshape(expand(b2, [...batch, k, m]), [bsz, k, m]);
  // vector operands' unit dims are dropped by the final _unsafe_view, as in PyTorch
  return unsafeView(bmm(a3, b3), [...batch, ...(ra === 1 ? [] : [n]), ...(rb === 1 ? [] : [m])]);
}
