/**
 * @file defineOp: an op's forward and backward in one definition, and the nodes that record it
 * (PyTorch's generated autograd functions, AccumulateGrad, SavedVariable handling).
 */
import type { Backend } from '../backend/backend.js';
import {
  exchangeGradEnabled,
  isAnomalyEnabled,
  isGradEnabled,
  isInferenceModeEnabled,
} from '../graph/grad-mode.js';
import { type Edge, type Grad, Node, type OutputMeta, runTensorHook, SavedTensor } from '../graph/node.js';
import { makeTensor, Storage, type TensorImpl } from '../graph/tensor-impl.js';
import { check } from '../util/assert.js';
import { kBinary, kContiguous, kCopyInto, kRelease, kView, kZeros } from './kernels.js';

function kCopy(self: TensorImpl, src: TensorImpl): TensorImpl {
  kCopyInto(self, src);
  return self;
}

/** Which inputs a backward formula reads: indices, or a function of which inputs need a gradient. @example [0, 1] */
export type SaveSpec = readonly number[] | ((needs: readonly boolean[]) => readonly number[]);

/**
 * One differentiable op with a single output. `backward` returns one gradient per input, each in the shape of the
 * output or of the input (the engine sums broadcast gradients down to the input shape: see `sumTo`).
 * @example
 * const Exp = defineOp({ name: 'ExpBackward0', forward: ([x]) => kUnary('exp', x), saveOutput: true,
 *   backward: (g, _x, out) => [mul(g, out)] });   // d exp(x) = exp(x)·dx
 */
export interface OpSpec<P> {
  /** PyTorch's node name, e.g. `'MulBackward0'`. */
  readonly name: string;
  /** Computes the output with kernels (or other ops); never records anything itself. */
  forward(inputs: readonly TensorImpl[], p: P): TensorImpl;
  /** Gradients of the inputs, written in differentiable ops so that createGraph gives higher orders. */
  backward?(
    g: TensorImpl,
    inputs: readonly TensorImpl[],
    out: TensorImpl,
    needs: readonly boolean[],
    p: P,
  ): Grad[];
  /** Inputs the backward reads (others reach it as shape-only stubs). */
  readonly save?: SaveSpec;
  /** Whether the backward reads the output. */
  readonly saveOutput?: boolean;
}

/**
 * An op with several outputs (split, max with a dim, sort). `backward` gets one gradient per output, null where none flowed.
 * @example defineMultiOp({ name: 'SplitBackward0', forward: ..., backward: (gs) => [cat(gs)] })
 */
export interface MultiOpSpec<P> {
  readonly name: string;
  forward(inputs: readonly TensorImpl[], p: P): TensorImpl[];
  backward?(
    gs: Grad[],
    inputs: readonly TensorImpl[],
    outs: readonly TensorImpl[],
    needs: readonly boolean[],
    p: P,
  ): Grad[];
  readonly save?: SaveSpec;
  readonly saveOutput?: boolean;
}

/** A defined op: call it with its tensor inputs and its parameters. @example mulOp([a, b]) */
export type OpFn<P> = (inputs: readonly TensorImpl[], p: P) => TensorImpl;
/** A defined multi-output op. @example splitOp([x], { sizes: [2, 2], dim: 0 }) */
export type MultiOpFn<P> = (inputs: readonly TensorImpl[], p: P) => TensorImpl[];

// ---------------------------------------------------------------------------------------------------------------
// Stubs: inputs a backward did not declare in `save` reach it with their shape and dtype only.

const stubBackend = new Proxy({} as Backend, {
  get(_t, prop) {
    if (prop === 'device') return 'meta';
    return () => {
      throw new Error(
        'internal error: a backward formula read the data of a tensor it did not save (add its index to `save`, ' +
          'or `saveOutput: true`). Please report this.',
      );
    };
  },
});

const stubStorages = new Map<OutputMeta['dtype'], Storage>();
const noStrides: readonly number[] = [];

function stub(meta: OutputMeta): TensorImpl {
  let s = stubStorages.get(meta.dtype);
  if (!s) stubStorages.set(meta.dtype, (s = new Storage(stubBackend, new Uint8Array(0), meta.dtype, 0)));
  return makeTensor(s, meta.shape, noStrides);
}

// ---------------------------------------------------------------------------------------------------------------
// Edges and AccumulateGrad

/**
 * Where the gradient of `t` goes: its gradFn, its AccumulateGrad (leaves that require grad), or nowhere.
 * @example gradientEdge(w) // [AccumulateGrad, 0]
 */
export function gradientEdge(t: TensorImpl): Edge {
  const fn = t.gradFn;
  if (fn !== null) return [fn, t.outputNr];
  if (!t._requiresGrad) return NO_EDGE;
  const acc = (t.gradAccumulator ??= new AccumulateGrad(t));
  return acc instanceof AccumulateGrad ? acc.edge : [acc, 0];
}

/** The edge of inputs that need no gradient: one shared, frozen tuple (graphs hold many). */
const NO_EDGE: Edge = [null, 0]; // shared: never mutated

/**
 * Input metadata, shared where it can be (metadata objects are never mutated): wrapped numbers (0-dim, very common)
 * share one object per dtype, and an input whose producer (its gradFn, or its AccumulateGrad) already describes it,
 * with the same shape array and dtype, shares the producer's.
 */
const scalarMeta = new Map<TensorImpl['dtype'], OutputMeta>();
function inputMetaOf(t: TensorImpl): OutputMeta {
  if (t.wrappedNumber === null) {
    const fn = t._gradFn;
    const m = fn !== null ? fn.outputMeta[t.outputNr] : t.gradAccumulator?.outputMeta[0];
    if (m !== undefined && m.shape === t.shape && m.dtype === t.dtype) return m;
    return { shape: t.shape, dtype: t.dtype };
  }
  let m = scalarMeta.get(t.dtype);
  if (!m) scalarMeta.set(t.dtype, (m = { shape: [], dtype: t.dtype })); // shared: never mutated
  return m;
}

const CloneSpec: OpSpec<void> = {
  name: 'CloneBackward0',
  forward: ([x]) => kContiguous(x!, true),
  backward: (g) => [g],
};

/** PyTorch's `new_empty_strided(...).copy_(grad)`: the first gradient of a leaf under createGraph. */
const AccumulateCopySpec: OpSpec<void> = {
  name: 'CopyBackwards',
  forward: ([self, src]) => kCopy(kZeros(self!.shape, self!.dtype, src!), src!),
  backward: (g) => [null, g],
};

const AccumulateAddSpec: OpSpec<void> = {
  name: 'AddBackward0',
  forward: ([a, b]) => kBinary('add', a!, b!, a!.dtype),
  backward: (g) => [g, g],
};

/**
 * The node that adds incoming gradients into a leaf's `.grad` (PyTorch's AccumulateGrad).
 * @example w.gradAccumulator // AccumulateGrad { variable: w }
 */
export class AccumulateGrad extends Node {
  readonly name = 'AccumulateGrad';
  /** The highest priority, as in PyTorch: a leaf's gradient is accumulated as soon as it is complete. */
  override readonly sequenceNr = Number.MAX_SAFE_INTEGER;
  /** The edge into this node (`gradientEdge` of its leaf): one shared tuple, as a leaf may feed thousands of ops. */
  readonly edge: Edge = [this, 0];
  constructor(readonly variable: TensorImpl) {
    super();
    this.outputMeta = [{ shape: variable.shape, dtype: variable.dtype }];
  }
  override readonly gradUse = 'sink';
  override apply([g]: Grad[], _needs?: readonly boolean[], owned?: readonly boolean[]): Grad[] {
    let grad = g ?? null;
    if (grad === null) return [];
    const v = this.variable;
    // a gradient only the engine held (and no hook has seen) is ours: kept as .grad, or freed once added in
    let mine = owned?.[0] === true && !v._hooks?.length;
    for (const h of v._hooks ?? []) grad = runTensorHook(h, grad);
    if (v._grad === null) {
      if (isGradEnabled()) {
        // Under createGraph the copy is recorded, so x.grad carries CopyBackwards as in PyTorch (clone_obey_contract).
        v._grad = applyOp(AccumulateCopySpec, [kZeros(v.shape, v.dtype, grad), grad], undefined);
      } else if (mine && grad.wholeStorage) {
        v._grad = grad; // PyTorch steals a gradient whose use_count is 1 instead of cloning it
        mine = false;
      } else v._grad = kContiguous(grad, true);
    } else if (!isGradEnabled()) {
      const cur = v._grad;
      cur.storage.backend.copy(cur.strided, grad.strided, cur.shape, true);
      cur.storage.version++;
    } else {
      v._grad = applyOp(AccumulateAddSpec, [v._grad, grad], undefined);
    }
    if (mine) kRelease(grad);
    return [];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Op nodes

function savedIndices(save: SaveSpec | undefined, needs: readonly boolean[]): readonly number[] {
  if (save === undefined) return [];
  return typeof save === 'function' ? save(needs) : save;
}

function saveTensor(t: TensorImpl, nodeName: string): SavedTensor {
  check(
    !t.inference || isInferenceModeEnabled(),
    () =>
      `Inference tensors cannot be saved for backward (${nodeName}). To work around you can make a clone to get ` +
      'a normal tensor and use it in autograd.',
  );
  return new SavedTensor(t);
}

class OpNode<P> extends Node {
  readonly name: string;
  override readonly gradUse = 'pure';
  private saved: (SavedTensor | null)[] | null = null;
  private savedOuts: SavedTensor[] | null;
  private inputMeta: OutputMeta[];
  /** Which inputs have an edge: the default `needs` of `apply`, made on first use. */
  private edgeMask: readonly boolean[] | null = null;
  constructor(
    private readonly spec: OpSpec<P> | MultiOpSpec<P>,
    private readonly multi: boolean,
    private readonly p: P,
    inputs: readonly TensorImpl[],
    outs: readonly TensorImpl[],
  ) {
    super();
    this.name = spec.name;
    this.nextFunctions = inputs.map(gradientEdge);
    this.outputMeta = outs.map((o) => ({ shape: o.shape, dtype: o.dtype }));
    this.inputMeta = inputs.map(inputMetaOf);
    if (spec.save !== undefined) {
      const idx = savedIndices(
        spec.save,
        this.nextFunctions.map((e) => e[0] !== null),
      );
      if (idx.length) {
        this.saved = inputs.map(() => null);
        for (const i of idx) this.saved[i] = saveTensor(inputs[i]!, spec.name);
      }
    }
    this.savedOuts = spec.saveOutput ? outs.map((o) => saveTensor(o, spec.name)) : null;
    if (isAnomalyEnabled()) this.anomalyTrace = new Error(`forward of ${spec.name}`).stack ?? null;
  }

  override apply(grads: Grad[], needsIn?: readonly boolean[]): Grad[] {
    const saved = this.saved;
    const inputs: TensorImpl[] = [];
    for (let i = 0; i < this.inputMeta.length; i++)
      inputs.push(saved?.[i]?.unpack(this.name) ?? stub(this.inputMeta[i]!));
    const outs = this.savedOuts ? this.savedOuts.map((s) => s.unpack(this.name)) : this.outputMeta.map(stub);
    const needs = needsIn ?? (this.edgeMask ??= this.nextFunctions.map((e) => e[0] !== null));
    if (this.multi) return (this.spec as MultiOpSpec<P>).backward!(grads, inputs, outs, needs, this.p);
    return (this.spec as OpSpec<P>).backward!(grads[0]!, inputs, outs[0]!, needs, this.p);
  }

  override releaseVariables(): void {
    for (const s of this.saved ?? []) s?.release();
    for (const s of this.savedOuts ?? []) s.release();
  }

  /** After an in-place op, the saved output is the modified tensor itself, at its new version. */
  rebindOutput(t: TensorImpl): void {
    if (this.savedOuts) this.savedOuts = [saveTensor(t, this.name)];
  }

  /** True when `t` is saved as input 0 (`self` of the in-place op that made this node). */
  savesSelf(t: TensorImpl): boolean {
    return this.saved?.[0]?.peek() === t;
  }

  /**
   * Replaces saved input 0 by `replacement` (a snapshot taken before it is overwritten in place). Only `self`:
   * the same tensor saved as another input (y.mul_(y)) stays saved at its old version, so backward refuses it as
   * PyTorch does.
   */
  resaveSelf(replacement: TensorImpl): void {
    if (this.saved?.[0]) this.saved[0] = saveTensor(replacement, this.name);
  }

  override savedTensors(): readonly { readonly name: string; readonly tensor: TensorImpl }[] {
    const out: { name: string; tensor: TensorImpl }[] = [];
    this.saved?.forEach((s, i) => {
      const t = s?.peek();
      if (t) out.push({ name: i === 0 ? 'self' : i === 1 ? 'other' : `input${i}`, tensor: t });
    });
    for (const s of this.savedOuts ?? []) {
      const t = s.peek();
      if (t) out.push({ name: 'result', tensor: t });
    }
    return out;
  }
}

function shouldRecord(inputs: readonly TensorImpl[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/** Runs a forward that records nothing itself: composites inside it must not record either. */
function forwardWithoutGrad<P, R>(
  spec: { forward(inputs: readonly TensorImpl[], p: P): R },
  inputs: readonly TensorImpl[],
  p: P,
): R {
  const prev = exchangeGradEnabled(false);
  try {
    return spec.forward(inputs, p);
  } finally {
    exchangeGradEnabled(prev);
  }
}

/**
 * Runs an op and records a node when grad mode is on and an input requires grad.
 * @example applyOp(MulSpec, [a, b], undefined)
 */
export function applyOp<P>(spec: OpSpec<P>, inputs: readonly TensorImpl[], p: P): TensorImpl {
  const record = spec.backward !== undefined && shouldRecord(inputs);
  // Forwards may call other public ops (composites); those must not record.
  const out = record ? forwardWithoutGrad(spec, inputs, p) : spec.forward(inputs, p);
  // a view keeps the kind of its base: views of normal tensors made in inference mode are normal (as PyTorch)
  if (isInferenceModeEnabled() && out.base === null) out.inference = true;
  if (!record || !out.dtype.isFloatingPoint) return out;
  // a forward may return one of its inputs unchanged (e.g. a no-op view): give the node its own tensor
  const result = inputs.includes(out) ? kView(out, out.shape, out.strides, out.offset) : out;
  if (result !== out) result.base = out.base ?? out;
  const node = new OpNode(spec, false, p, inputs, [result]);
  result.gradFn = node;
  result.outputNr = 0;
  return result;
}

/**
 * Multi-output version of applyOp; only floating-point outputs join the graph.
 * @example applyMultiOp(SplitSpec, [x], p)
 */
export function applyMultiOp<P>(spec: MultiOpSpec<P>, inputs: readonly TensorImpl[], p: P): TensorImpl[] {
  const record = spec.backward !== undefined && shouldRecord(inputs);
  const outs = record ? forwardWithoutGrad(spec, inputs, p) : spec.forward(inputs, p);
  if (isInferenceModeEnabled()) for (const o of outs) if (o.base === null) o.inference = true;
  if (!record) return outs;
  const node = new OpNode(spec, true, p, inputs, outs);
  outs.forEach((o, i) => {
    if (!o.dtype.isFloatingPoint) return;
    o.gradFn = node;
    o.outputNr = i;
  });
  return outs;
}

/**
 * Defines a single-output op from its spec.
 * @example const neg: OpFn<void> = defineOp({ name: 'NegBackward0', forward: ([x]) => kUnary('neg', x!), backward: (g) => [negate(g)] });
 */
export function defineOp<P = void>(spec: OpSpec<P>): OpFn<P> {
  return (inputs, p) => applyOp(spec, inputs, p);
}

/**
 * Defines a multi-output op from its spec.
 * @example const split = defineMultiOp({ name: 'SplitBackward0', forward: ..., backward: ... });
 */
export function defineMultiOp<P = void>(spec: MultiOpSpec<P>): MultiOpFn<P> {
  return (inputs, p) => applyMultiOp(spec, inputs, p);
}

/**
 * After an in-place op wrote its result into `t`, makes the node's saved output `t` itself at its new version,
 * so a later in-place change of `t` is caught at backward (as PyTorch saves `self` for ops like exp_).
 * @example rebindSavedOutput(t.gradFn, t)
 */
export function rebindSavedOutput(node: Node, t: TensorImpl): void {
  if (node instanceof OpNode) node.rebindOutput(t);
}

/**
 * Before an in-place op overwrites `t`: if the node that computed the new value saved `t` (the old value), give it
 * a snapshot instead, as PyTorch saves `original_self` for in-place ops whose backward reads self.
 * @example preserveSavedSelf(r.gradFn, self)
 */
export function preserveSavedSelf(node: Node, t: TensorImpl): void {
  if (node instanceof OpNode && node.savesSelf(t)) node.resaveSelf(kContiguous(t, true));
}

/** The clone op (CloneBackward0): a contiguous copy that records. @example cloneOp([x]) */
export const cloneOp: OpFn<void> = (inputs) => applyOp(CloneSpec, inputs, undefined);
