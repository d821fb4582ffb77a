/**
 * @file sort, argsort and topk: values and int32 indices along a dim (NaN sorts as the largest value, ties keep
 * their order). The gradient flows back to the positions the values came from.
 */
import { int32 } from '../core/dtype.js';
import { normalizeDim } from '../core/shape.js';
import { fromBuf, type TensorImpl } from '../graph/tensor-impl.js';
import { check, checkType, isInt } from '../util/assert.js';
import { applyMultiOp, type MultiOpSpec } from './define.js';
import { kView, kZeros } from './kernels.js';
import { scatterAdd } from './movement.js';

type T = TensorImpl;

/** `{ values, indices }`, PyTorch's named tuple. @example const { values, indices } = x.sort(); */
export interface SortResult {
  values: T;
  indices: T;
}

interface SortP {
  readonly dim: number;
  readonly descending: boolean;
  /** topk: keep the first k along dim (null: all). */
  readonly k: number | null;
}

const sortSpec = (name: string): MultiOpSpec<SortP> => ({
  name,
  forward: ([x], { dim, descending, k }) => {
    const be = x!.storage.backend;
    if (x!.shape.length === 0) return [kView(x!, [], [], x!.offset), kZeros([], int32, x!)];
    const [v, i] = be.sort(x!.strided, x!.shape, dim, descending);
    const values = fromBuf(be, v, x!.dtype, x!.shape);
    const indices = fromBuf(be, i, int32, x!.shape);
    if (k === null) return [values, indices];
    const shape = x!.shape.slice();
    shape[dim] = k;
    return [kView(values, shape, values.strides, 0), kView(indices, shape, indices.strides, 0)];
  },
  saveOutput: true,
  // each value's gradient goes back to the position it was taken from
  backward: ([g], [x], [, indices], _n, { dim }) => {
    if (x!.shape.length === 0) return [g!];
    return [scatterAdd(kZeros(x!.shape, g!.dtype, g!), dim, indices!, g!)];
  },
});
const SortSpec = sortSpec('SortBackward0');
const TopkSpec = sortSpec('TopkBackward0');

/**
 * Sorts along `dim` (last by default), ascending unless `descending`; returns `{ values, indices }`.
 * @example const { values, indices } = torch.sort(x, 1, { descending: true });
 */
export function sort(x: T, dim = -1, opts: { descending?: boolean; stable?: boolean } = {}): SortResult {
  const d = normalizeDim(dim, x.shape.length);
  const [values, indices] = applyMultiOp(SortSpec, [x], {
    dim: d,
    descending: opts.descending ?? false,
    k: null,
  });
  return { values: values!, indices: indices! };
}

/**
 * Indices that sort `x` along `dim`.
 * @example torch.argsort(x) ; x.argsort(0, { descending: true })
 */
export function argsort(x: T, dim = -1, opts: { descending?: boolean; stable?: boolean } = {}): T {
  return sort(x, dim, opts).indices;
}

/**
 * The `k` largest (or smallest, with `largest: false`) entries along `dim`, sorted; returns `{ values, indices }`.
 * @example const { values, indices } = torch.topk(x, 3);
 */
export function topk(
  x: T,
  k: number,
  dim = -1,
  opts: { largest?: boolean; sorted?: boolean } = {},
): SortResult {
  const d = normalizeDim(dim, x.shape.length);
  checkType(isInt(k), () => `topk(): argument 'k' must be an integer, not ${typeof k}`);
  const size = x.shape.length === 0 ? 1 : x.shape[d]!;
  check(
    k >= 0 && k <= size,
    () => `selected index k out of range: k = ${k} but dimension ${d} has size ${size}`,
  );
  const [values, indices] = applyMultiOp(TopkSpec, [x], { dim: d, descending: opts.largest ?? true, k });
  return { values: values!, indices: indices! };
}
