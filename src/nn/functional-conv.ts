/**
 * @file Sliding-window primitives for 2-D layers: im2col/col2im (a transpose pair, so every order of gradient
 * works), conv2d, max and average pooling, on the backends' window kernels (padding handled inside them).
 */
import type { Window2d } from '../backend/backend.js';
import type { DType } from '../core/dtype.js';
import { contiguousStrides, numel } from '../core/shape.js';
import { isGradEnabled } from '../graph/grad-mode.js';
import { fromBuf, type TensorImpl } from '../graph/tensor-impl.js';
import { applyMultiOp, applyOp, type MultiOpSpec, type OpSpec } from '../ops/define.js';
import { div } from '../ops/elementwise.js';
import {
  kBinary,
  kCol2im,
  kContiguous,
  kCopyInto,
  kIm2col,
  kMatmul,
  kMaxPool2d,
  kMaxPool2dBackward,
  kReduce,
  kRelease,
  kView,
  kZeros,
} from '../ops/kernels.js';
import { matmul, mm } from '../ops/matmul.js';
import { cat, expand, gather, narrow, permute, reshape, transpose, unsqueeze } from '../ops/movement.js';
import { sum } from '../ops/reduce.js';
import { check, checkType, fmtShape, isInt } from '../util/assert.js';

type T = TensorImpl;

export type { Window2d } from '../backend/backend.js';

function outSize(
  n: number,
  k: number,
  s: number,
  padBefore: number,
  padTotal: number,
  d: number,
  ceil: boolean,
): number {
  const span = n + padTotal - d * (k - 1) - 1;
  let o = Math.floor((span + (ceil ? s - 1 : 0)) / s) + 1;
  // PyTorch: the last window must start inside the input or the left padding
  if (ceil && (o - 1) * s >= n + padBefore) o--;
  return o;
}

/**
 * Window geometry from PyTorch-style arguments; `pad` is [top, bottom, left, right].
 * @example windowGeometry(4, 4, [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], false).oh // 2
 */
export function windowGeometry(
  h: number,
  w: number,
  kernel: readonly [number, number],
  stride: readonly [number, number],
  pad: readonly [number, number, number, number],
  dilation: readonly [number, number],
  ceilMode: boolean,
): Window2d {
  const [kh, kw] = kernel;
  const [sh, sw] = stride;
  const [dh, dw] = dilation;
  const [pt, pb, pl, pr] = pad;
  const oh = outSize(h, kh, sh, pt, pt + pb, dh, ceilMode);
  const ow = outSize(w, kw, sw, pl, pl + pr, dw, ceilMode);
  check(
    oh > 0 && ow > 0,
    () =>
      `Given input size: (${h}x${w}). Calculated output size: (${oh}x${ow}). Output size is too small: ` +
      'use a smaller kernel, a larger input or more padding.',
  );
  const hp = Math.max(h + pt + pb, (oh - 1) * sh + dh * (kh - 1) + 1);
  const wp = Math.max(w + pl + pr, (ow - 1) * sw + dw * (kw - 1) + 1);
  return { h, w, kh, kw, sh, sw, dh, dw, pt, pl, hp, wp, oh, ow };
}

// ---------------------------------------------------------------------------------------------------------------
// im2col / col2im: each the other's backward

const Im2colSpec: OpSpec<Window2d> = {
  name: 'Im2ColBackward0',
  forward: ([x], g) => kIm2col(x!, g),
  backward: (gr, _x, _o, _n, g) => [col2im(gr, g)],
};

const Col2imSpec: OpSpec<Window2d> = {
  name: 'Col2ImBackward0',
  forward: ([cols], g) => kCol2im(cols!, g), // overlapping windows add up
  backward: (gr, _x, _o, _n, g) => [im2col(gr, g)],
};

/**
 * The sliding windows of `x` [N, C, h, w] as [N, C, kh, kw, oh, ow] (zero padding), differentiable.
 * @example im2col(x, windowGeometry(4, 4, [2, 2], [1, 1], [0, 0, 0, 0], [1, 1], false))
 */
export function im2col(x: T, g: Window2d): T {
  return applyOp(Im2colSpec, [x], g);
}

/**
 * Sums windows [N, C, kh, kw, oh, ow] back into a [N, C, h, w] image (the transpose of im2col), differentiable.
 * @example col2im(cols, g)
 */
export function col2im(cols: T, g: Window2d): T {
  return applyOp(Col2imSpec, [cols], g);
}

// ---------------------------------------------------------------------------------------------------------------
// conv2d

interface ConvP {
  readonly g: Window2d;
  readonly groups: number;
  readonly hasBias: boolean;
  /** The forward's columns, kept for the weight gradient (PyTorch's slow conv saves them too); see ConvSpec. */
  readonly saved: { cols: T | null };
}

/** Forward of one convolution with kernels: per group, W [Og, K] @ cols [N, K, L]. */
function convForward(x: T, w: T, b: T | undefined, p: ConvP): T {
  const { g, groups } = p;
  const [n, c] = x.shape as [number, number];
  const o = w.shape[0]!;
  const cg = c / groups;
  const og = o / groups;
  const k = cg * g.kh * g.kw;
  const l = g.oh * g.ow;
  const cols = kIm2col(x, g); // [N, C, kh, kw, oh, ow] = [N, C·kh·kw, L]
  if (w.requiresGrad) p.saved.cols = cols; // (dropped with p when no node records this call)
  const wc = kContiguous(w);
  let out: T;
  if (groups === 1) {
    out = kMatmul(
      kView(wc, [1, o, k], [0, k, 1], wc.offset),
      kView(cols, [n, k, l], [k * l, l, 1], 0),
      x.dtype,
    );
  } else {
    out = kZeros([n, o, l], x.dtype, x);
    for (let gi = 0; gi < groups; gi++) {
      const wg = kView(wc, [1, og, k], [0, k, 1], wc.offset + gi * og * k);
      const cgv = kView(cols, [n, k, l], [c * g.kh * g.kw * l, l, 1], gi * k * l);
      kCopyInto(kView(out, [n, og, l], [o * l, l, 1], gi * og * l), kMatmul(wg, cgv, x.dtype));
    }
  }
  if (p.saved.cols !== cols) kRelease(cols);
  if (b) {
    const mmOut = out;
    out = kBinary('add', out, kView(b, [1, o, 1], [0, b.strides[0]!, 0], b.offset), x.dtype);
    kRelease(mmOut);
  }
  return kView(out, [n, o, g.oh, g.ow], [o * l, l, g.ow, 1], out.offset);
}

/**
 * A first-order backward (no graph to build) of an ungrouped convolution with kernels, handing temporaries back
 * as it goes: dx = col2im(Wᵀ·g), dW = Σₙ g[n] [O, L] · cols[n]ᵀ [L, K] (one batch-reduce GEMM, reading both
 * operands where they are), db = Σ g.
 */
function convBackwardKernels(gr: T, x: T, w: T, needs: readonly boolean[], p: ConvP): (T | null)[] {
  const { g } = p;
  const [n, c] = x.shape as [number, number];
  const o = w.shape[0]!;
  const k = c * g.kh * g.kw;
  const l = g.oh * g.ow;
  const gc = kContiguous(gr);
  const gm = kView(gc, [n, o, l], [o * l, l, 1], gc.offset);
  let gx: T | null = null;
  if (needs[0]) {
    const wc = kContiguous(w);
    const gcols = kMatmul(kView(wc, [1, k, o], [0, 1, k], wc.offset), gm, gr.dtype); // [N, K, L]
    gx = kCol2im(
      kView(gcols, [n, c, g.kh, g.kw, g.oh, g.ow], contiguousStrides([n, c, g.kh, g.kw, g.oh, g.ow]), 0),
      g,
    );
    kRelease(gcols);
  }
  let gw: T | null = null;
  if (needs[1]) {
    // the forward's columns serve once; a retained graph's next backward recomputes them
    const cols = p.saved.cols ?? kIm2col(x, g); // [N, K, L]
    p.saved.cols = null;
    const dw = kMatmul(gm, kView(cols, [n, l, k], [k * l, 1, l], cols.offset), gr.dtype, true); // [O, K]
    kRelease(cols);
    gw = kView(dw, w.shape, contiguousStrides(w.shape), 0);
  }
  const gb = p.hasBias && needs[2] ? kReduce('sum', gc, [0, 2, 3], gr.dtype) : null;
  return p.hasBias ? [gx, gw, gb] : [gx, gw];
}

const ConvSpec: OpSpec<ConvP> = {
  name: 'ConvolutionBackward0',
  forward: ([x, w, b], p) => convForward(x!, w!, b, p),
  save: ([needX, needW]) => (needX && needW ? [0, 1] : needX ? [1] : needW ? [0] : []),
  // dx = col2im(Wᵀ·g), dW = g·colsᵀ summed over the batch, db = Σ g over N, oh, ow (per group)
  backward: (gr, [x, w], _out, needs, p) => {
    if (!isGradEnabled() && p.groups === 1) return convBackwardKernels(gr, x!, w!, needs, p);
    const [needX, needW, needB] = needs;
    const { g, groups } = p;
    const [n, c] = x!.shape as [number, number];
    const o = w!.shape[0]!;
    const cg = c / groups;
    const og = o / groups;
    const k = cg * g.kh * g.kw;
    const l = g.oh * g.ow;
    const gm = reshape(gr, [n, o, l]);
    const gmG = (gi: number): T => (groups === 1 ? gm : narrow(gm, 1, gi * og, og));
    const wG = (gi: number): T => {
      const wm = reshape(w!, [o, k]);
      return groups === 1 ? wm : narrow(wm, 0, gi * og, og);
    };
    const range = Array.from({ length: groups }, (_, i) => i);
    let gx: T | null = null;
    if (needX) {
      const parts = range.map((gi) => matmul(transpose(wG(gi), 0, 1), gmG(gi))); // [N, K, L]
      const gcols = parts.length === 1 ? parts[0]! : cat(parts, 1);
      gx = col2im(reshape(gcols, [n, c, g.kh, g.kw, g.oh, g.ow]), g);
    }
    let gw: T | null = null;
    if (needW) {
      // a differentiable im2col of x (createGraph), or the forward's columns (grouped first-order backward)
      const saved = isGradEnabled() ? null : p.saved.cols;
      const cols = saved
        ? kView(saved, [n, c * g.kh * g.kw, l], [c * g.kh * g.kw * l, l, 1], 0)
        : reshape(im2col(x!, g), [n, c * g.kh * g.kw, l]);
      const parts = range.map((gi) => {
        const colsG = groups === 1 ? cols : narrow(cols, 1, gi * k, k);
        const gT = reshape(permute(gmG(gi), [1, 0, 2]), [og, n * l]);
        return mm(gT, reshape(permute(colsG, [0, 2, 1]), [n * l, k]));
      });
      gw = reshape(parts.length === 1 ? parts[0]! : cat(parts, 0), w!.shape);
    }
    const gb = p.hasBias && needB ? sum(gr, [0, 2, 3]) : null;
    return p.hasBias ? [gx, gw, gb] : [gx, gw];
  },
};

/**
 * 2-D convolution of [N, C, h, w] by [O, C/groups, kh, kw] (one ConvolutionBackward0 node).
 * @example conv2dOp(x, w, b, g, 1)
 */
export function conv2dOp(x: T, w: T, b: T | null, g: Window2d, groups: number): T {
  const inputs = b ? [x, w, b] : [x, w];
  return applyOp(ConvSpec, inputs, { g, groups, hasBias: b !== null, saved: { cols: null } });
}

// ---------------------------------------------------------------------------------------------------------------
// pooling

interface PoolBackP {
  readonly g: Window2d;
}

/** Max pooling's backward as an op of the output gradient (the indices are constant), so it has a gradient too. */
const MaxPoolBackwardSpec: OpSpec<PoolBackP> = {
  name: 'MaxPool2DWithIndicesBackwardBackward0',
  forward: ([gr, indices], { g }) => kMaxPool2dBackward(gr!, indices!, g),
  save: [1],
  // PyTorch's max_pool_double_backward: each window reads the gradient at the element it picked
  backward: (gg, [gr, indices], _o, _n, { g }) => {
    const [n, c] = gr!.shape as [number, number];
    const l = g.oh * g.ow;
    const picked = gather(reshape(gg, [n, c, g.h * g.w]), 2, reshape(indices!, [n, c, l]));
    return [reshape(picked, gr!.shape), null];
  },
};

const MaxPoolSpec: MultiOpSpec<Window2d> = {
  name: 'MaxPool2DWithIndicesBackward0',
  forward: ([x], g) => kMaxPool2d(x!, g),
  saveOutput: true,
  // the gradient goes to the input element each window picked (summed where windows overlap)
  backward: ([gr], _x, [, indices], _n, g) => [applyOp(MaxPoolBackwardSpec, [gr!, indices!], { g })],
};

/**
 * Max pooling over [N, C, h, w]; returns the values and the flat (h·w) input index each window picked.
 * @example const [values, indices] = maxPool2dOp(x, g);
 */
export function maxPool2dOp(x: T, g: Window2d): [T, T] {
  const [values, indices] = applyMultiOp(MaxPoolSpec, [x], g);
  return [values!, indices!];
}

interface AvgP {
  readonly g: Window2d;
  readonly divisor: Float64Array;
}

/** PyTorch's avg_pool2d divisor per output cell (count_include_pad counts padding but not ceil-mode overhang). */
function avgDivisors(
  g: Window2d,
  padB: number,
  padR: number,
  countIncludePad: boolean,
  override: number | null,
): Float64Array {
  const out = new Float64Array(g.oh * g.ow);
  for (let oy = 0; oy < g.oh; oy++)
    for (let ox = 0; ox < g.ow; ox++) {
      let y0 = oy * g.sh - g.pt;
      let x0 = ox * g.sw - g.pl;
      let y1 = Math.min(y0 + g.kh, g.h + padB);
      let x1 = Math.min(x0 + g.kw, g.w + padR);
      const poolSize = (y1 - y0) * (x1 - x0);
      y0 = Math.max(y0, 0);
      x0 = Math.max(x0, 0);
      y1 = Math.min(y1, g.h);
      x1 = Math.min(x1, g.w);
      out[oy * g.ow + ox] = override ?? (countIncludePad ? poolSize : (y1 - y0) * (x1 - x0));
    }
  return out;
}

function divisorTensor(p: AvgP, like: T, dtype: DType): T {
  const be = like.storage.backend;
  return fromBuf(be, be.fromArray(dtype, new dtype.ArrayType(p.divisor)), dtype, [p.g.oh, p.g.ow]);
}

const AvgPoolSpec: OpSpec<AvgP> = {
  name: 'AvgPool2DBackward0',
  forward: ([x], p) => {
    const [n, c] = x!.shape as [number, number];
    const { g } = p;
    const kk = g.kh * g.kw;
    const l = g.oh * g.ow;
    const s = kReduce(
      'sum',
      kView(kIm2col(x!, g), [n, c, kk, l], [c * kk * l, kk * l, l, 1], 0),
      [2],
      x!.dtype,
    );
    return kBinary(
      'div',
      kView(s, [n, c, g.oh, g.ow], [c * l, l, g.ow, 1], 0),
      divisorTensor(p, x!, x!.dtype),
      x!.dtype,
    );
  },
  // each window spreads g/divisor evenly over its elements: col2im of the broadcast gradient
  backward: (gr, [x], _o, _n, p) => {
    const [n, c] = x!.shape as [number, number];
    const { g } = p;
    const share = unsqueeze(unsqueeze(div(gr, divisorTensor(p, gr, gr.dtype)), 2), 2);
    return [col2im(expand(share, [n, c, g.kh, g.kw, g.oh, g.ow]), g)];
  },
};

/**
 * Average pooling over [N, C, h, w] (one AvgPool2DBackward0 node).
 * @example avgPool2dOp(x, g, 0, 0, true, null)
 */
export function avgPool2dOp(
  x: T,
  g: Window2d,
  padB: number,
  padR: number,
  countIncludePad: boolean,
  divisorOverride: number | null,
): T {
  return applyOp(AvgPoolSpec, [x], {
    g,
    divisor: avgDivisors(g, padB, padR, countIncludePad, divisorOverride),
  });
}

/**
 * Checks that a pooling/conv input is [N, C, h, w] (or unbatched [C, h, w]) and reports PyTorch's message otherwise.
 * @example checkInput4d(x, 'max_pool2d')
 */
export function checkInput4d(x: T, what: string): void {
  check(
    (x.shape.length === 3 || x.shape.length === 4) && numel(x.shape.slice(1)) > 0,
    () =>
      `${what}: Expected 3D (unbatched) or 4D (batched) input with non-zero sizes, but got input of size: ` +
      `${fmtShape(x.shape)}. Add a batch dim with unsqueeze(0) or reshape to [N, C, H, W].`,
  );
}

/** A size given as one number or one per spatial dim. @example 3 ; [3, 5] */
export type Size2 = number | readonly [number, number];

/**
 * `[a, a]` for a number, the pair itself otherwise (PyTorch's `_pair`), checking that each is a non-negative integer.
 * @example pair(3, 'kernel_size') // [3, 3]
 */
export function pair(v: Size2, what: string): [number, number] {
  const p: readonly number[] = typeof v === 'number' ? [v, v] : v;
  checkType(
    Array.isArray(p) && p.length === 2 && p.every((x) => isInt(x) && x >= 0),
    () => `${what} must be an integer or a pair of integers, got ${JSON.stringify(v)}`,
  );
  return [p[0]!, p[1]!];
}

/**
 * Padding [top, bottom, left, right] of a convolution ('same' pads the extra pixel at the bottom/right, as PyTorch).
 * @example convPadding('same', [3, 3], [1, 1]) // [1, 1, 1, 1]
 */
export function convPadding(
  padding: Size2 | 'same' | 'valid',
  kernel: readonly [number, number],
  dilation: readonly [number, number],
): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    const th = dilation[0] * (kernel[0] - 1);
    const tw = dilation[1] * (kernel[1] - 1);
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  const [ph, pw] = pair(padding, 'padding');
  return [ph, ph, pw, pw];
}
