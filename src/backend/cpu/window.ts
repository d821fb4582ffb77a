/**
 * @file Reference kernels of the sliding-window primitives (im2col, col2im, max pooling and its backward) over
 * strided [N, C, h, w] planes: plain loops that spell out the semantics the wasm kernels must match.
 */
import type { DType, TypedArray } from '../../core/dtype.js';
import { int32 } from '../../core/dtype.js';
import type { Buf, Strided, Window2d } from '../backend.js';

const arr = (s: Strided): TypedArray => s.buf as TypedArray;

/** Calls `plane(p, n, c)` for every (n, c) of an [N, C, ...] shape, p = n·C + c. */
function eachPlane(shape: readonly number[], plane: (p: number, n: number, c: number) => void): void {
  const [n, c] = shape as [number, number];
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) plane(i * c + j, i, j);
}

/**
 * `x` [N, C, h, w] → [N, C, kh, kw, oh, ow], zero where the window overhangs.
 * @example im2colRef(x, [1, 1, 4, 4], g, float32)
 */
export function im2colRef(x: Strided, shape: readonly number[], g: Window2d, dtype: DType): Buf {
  const [s0, s1, s2, s3] = x.strides as [number, number, number, number];
  const xs = arr(x);
  const per = g.kh * g.kw * g.oh * g.ow;
  const out = new dtype.ArrayType(shape[0]! * shape[1]! * per);
  eachPlane(shape, (p, n, c) => {
    const base = x.offset + n * s0 + c * s1;
    let o = p * per;
    for (let ky = 0; ky < g.kh; ky++)
      for (let kx = 0; kx < g.kw; kx++)
        for (let oy = 0; oy < g.oh; oy++) {
          const iy = oy * g.sh - g.pt + ky * g.dh;
          for (let ox = 0; ox < g.ow; ox++, o++) {
            const ix = ox * g.sw - g.pl + kx * g.dw;
            if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) out[o] = xs[base + iy * s2 + ix * s3]!;
          }
        }
  });
  return out;
}

/**
 * `cols` [N, C, kh, kw, oh, ow] summed into [N, C, h, w] (in the order ky, kx, oy, ox, as PyTorch's col2im).
 * @example col2imRef(cols, [1, 1, 2, 2, 3, 3], g, float32)
 */
export function col2imRef(cols: Strided, shape: readonly number[], g: Window2d, dtype: DType): Buf {
  const [s0, s1, s2, s3, s4, s5] = cols.strides as [number, number, number, number, number, number];
  const cs = arr(cols);
  const hw = g.h * g.w;
  const out = new dtype.ArrayType(shape[0]! * shape[1]! * hw);
  eachPlane(shape, (p, n, c) => {
    const base = cols.offset + n * s0 + c * s1;
    const o = p * hw;
    for (let ky = 0; ky < g.kh; ky++)
      for (let kx = 0; kx < g.kw; kx++)
        for (let oy = 0; oy < g.oh; oy++) {
          const iy = oy * g.sh - g.pt + ky * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          for (let ox = 0; ox < g.ow; ox++) {
            const ix = ox * g.sw - g.pl + kx * g.dw;
            if (ix >= 0 && ix < g.w)
              out[o + iy * g.w + ix]! += cs[base + ky * s2 + kx * s3 + oy * s4 + ox * s5]!;
          }
        }
  });
  return out;
}

/**
 * Max pooling of [N, C, h, w] → values and int32 flat indices [N, C, oh, ow], PyTorch's CPU kernel: the scan starts
 * at the first in-bounds element with -inf, takes strictly greater values and every NaN.
 * @example const [values, indices] = maxPool2dRef(x, [1, 1, 4, 4], g);
 */
export function maxPool2dRef(x: Strided, shape: readonly number[], g: Window2d): [Buf, Buf] {
  const [s0, s1, s2, s3] = x.strides as [number, number, number, number];
  const xs = arr(x);
  const l = g.oh * g.ow;
  const values = new x.dtype.ArrayType(shape[0]! * shape[1]! * l);
  const indices = new int32.ArrayType(values.length);
  eachPlane(shape, (p, n, c) => {
    const base = x.offset + n * s0 + c * s1;
    let o = p * l;
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++, o++) {
        let best = Number.NEGATIVE_INFINITY;
        let at = -1;
        for (let ky = 0; ky < g.kh; ky++) {
          const iy = oy * g.sh - g.pt + ky * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          for (let kx = 0; kx < g.kw; kx++) {
            const ix = ox * g.sw - g.pl + kx * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            const v = xs[base + iy * s2 + ix * s3]!;
            if (at < 0) at = iy * g.w + ix;
            if (v > best || v !== v) {
              best = v;
              at = iy * g.w + ix;
            }
          }
        }
        values[o] = best;
        indices[o] = at;
      }
  });
  return [values, indices];
}

/**
 * The backward of max pooling: per plane, zeros with `grad` added at `indices` (flat h·w), in output order.
 * @example maxPool2dBackwardRef(grad, indices, [1, 1, 2, 2], g, float32)
 */
export function maxPool2dBackwardRef(
  grad: Strided,
  indices: Strided,
  shape: readonly number[],
  g: Window2d,
  dtype: DType,
): Buf {
  const [g0, g1, g2, g3] = grad.strides as [number, number, number, number];
  const [i0, i1, i2, i3] = indices.strides as [number, number, number, number];
  const gs = arr(grad);
  const is = arr(indices);
  const hw = g.h * g.w;
  const [, , oh, ow] = shape as [number, number, number, number];
  const out = new dtype.ArrayType(shape[0]! * shape[1]! * hw);
  eachPlane(shape, (p, n, c) => {
    const gb = grad.offset + n * g0 + c * g1;
    const ib = indices.offset + n * i0 + c * i1;
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        out[p * hw + is[ib + oy * i2 + ox * i3]!]! += gs[gb + oy * g2 + ox * g3]!;
  });
  return out;
}
