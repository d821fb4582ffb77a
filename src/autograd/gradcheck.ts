/**
 * @file gradcheck / gradgradcheck: analytical gradients (autograd) against central finite differences,
 * as torch.autograd.gradcheck, used by the tests and by users writing custom Functions.
 */
import { float64 } from '../core/dtype.js';
import { numel } from '../core/shape.js';
import { makeTensor, Storage, type TensorImpl } from '../graph/tensor-impl.js';
import { kContiguous, kFull } from '../ops/kernels.js';
import { check } from '../util/assert.js';
import { grad } from './engine.js';

/** Options of gradcheck. @example { eps: 1e-6, atol: 1e-5, rtol: 1e-3 } */
export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw with details on a mismatch (default true); otherwise return false. */
  raiseException?: boolean;
}

type Fn = (...xs: TensorImpl[]) => TensorImpl | readonly TensorImpl[];

function outputsOf(r: TensorImpl | readonly TensorImpl[]): TensorImpl[] {
  return Array.isArray(r) ? [...r] : [r as TensorImpl];
}

function values(t: TensorImpl): Float64Array {
  const c = kContiguous(t);
  const be = c.storage.backend;
  check(be.readSync !== undefined, 'gradcheck needs a device with synchronous reads (cpu)');
  const d = be.readSync!(c.storage.buf, c.dtype);
  return Float64Array.from(d.subarray(c.offset, c.offset + numel(c.shape)));
}

function withValues(like: TensorImpl, data: Float64Array): TensorImpl {
  const be = like.storage.backend;
  return makeTensor(
    new Storage(be, be.fromArray(like.dtype, new like.dtype.ArrayType(data)), like.dtype, data.length),
    like.shape,
  );
}

/**
 * Checks the gradients of `fn` at `inputs` against finite differences (inputs that require grad should be float64).
 * Returns true, or throws (or returns false with `raiseException: false`) naming the input, output and element.
 * @example torch.autograd.gradcheck((x) => x.exp(), [torch.randn(3, { dtype: torch.float64, requiresGrad: true })])
 */
export function gradcheck(fn: Fn, inputs: readonly TensorImpl[], opts: GradcheckOptions = {}): boolean {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const diff = inputs.map((x, i) => ({ x, i })).filter(({ x }) => x.requiresGrad);
  check(diff.length > 0, 'gradcheck expects at least one input tensor to require gradient');
  for (const { x, i } of diff)
    check(
      x.dtype === float64,
      () =>
        `gradcheck: input ${i} requires gradient and is not a double precision floating point (got ${x.dtype}); use dtype torch.float64`,
    );
  const outs = outputsOf(fn(...inputs));
  for (let o = 0; o < outs.length; o++) {
    const out = outs[o]!;
    if (!out.dtype.isFloatingPoint) continue;
    const m = numel(out.shape);
    // analytical: one vector-Jacobian product per output element
    const analytical = diff.map(({ x }) => new Float64Array(numel(x.shape) * m));
    for (let k = 0; k < m; k++) {
      if (!out.requiresGrad) break;
      const onehot = new Float64Array(m);
      onehot[k] = 1;
      const go = withValues(kFull(out.shape, 0, out.dtype, out), onehot);
      const gs = grad(
        [out],
        diff.map(({ x }) => x),
        { gradOutputs: [go], retainGraph: true, allowUnused: true },
      );
      gs.forEach((g, j) => {
        if (g === null) return;
        const v = values(g);
        for (let e = 0; e < v.length; e++) analytical[j]![e * m + k] = v[e]!;
      });
    }
    // numerical: central differences per input element
    for (let j = 0; j < diff.length; j++) {
      const { x, i } = diff[j]!;
      const base = values(x);
      for (let e = 0; e < base.length; e++) {
        const at = (delta: number): Float64Array => {
          const p = base.slice();
          p[e]! += delta;
          const args = inputs.map((y, q) => {
            if (q !== i) return y;
            const t = withValues(y, p);
            t._requiresGrad = y.requiresGrad; // so that fns which differentiate internally (gradgradcheck) still can
            return t;
          });
          return values(outputsOf(fn(...args))[o]!);
        };
        const plus = at(eps);
        const minus = at(-eps);
        for (let k = 0; k < m; k++) {
          const num = (plus[k]! - minus[k]!) / (2 * eps);
          const ana = analytical[j]![e * m + k]!;
          if (!(Math.abs(num - ana) <= atol + rtol * Math.abs(num))) {
            const msg =
              `Jacobian mismatch for output ${o} with respect to input ${i}, at input element ${e} and output ` +
              `element ${k}:\nnumerical: ${num}\nanalytical: ${ana}`;
            if (opts.raiseException === false) return false;
            throw new Error(msg);
          }
        }
      }
    }
  }
  return true;
}

/**
 * Checks second derivatives: gradcheck of the (createGraph) gradients of `fn` with random output gradients.
 * @example torch.autograd.gradgradcheck((x) => x.pow(3), [x64])
 */
export function gradgradcheck(fn: Fn, inputs: readonly TensorImpl[], opts: GradcheckOptions = {}): boolean {
  const diff = inputs.filter((x) => x.requiresGrad);
  const wrapped: Fn = (...xs) => {
    const outs = outputsOf(fn(...xs)).filter((t) => t.requiresGrad);
    const gos = outs.map((t) => kFull(t.shape, 1, t.dtype, t));
    const gs = grad(
      outs,
      xs.filter((_, q) => inputs[q]!.requiresGrad),
      { gradOutputs: gos, createGraph: true, allowUnused: true },
    );
    return gs.filter((g): g is TensorImpl => g !== null);
  };
  void diff;
  return gradcheck(wrapped, inputs, opts);
}
