/**
 * @file The backward engine (PyTorch's engine.cpp): iterative, dependency-counting, runs ready nodes in
 * decreasing sequence number, sums fan-in, fits each gradient to its input (sumTo, dtype), and frees saved
 * tensors unless retainGraph. It never branches on op names: nodes carry what is special about them.
 */

import { bool } from '../core/dtype.js';
import { sameShape } from '../core/shape.js';
import {
  isAnomalyCheckNanEnabled,
  isAnomalyEnabled,
  isGradEnabled,
  setGradEnabled,
} from '../graph/grad-mode.js';
import { type Grad, type Node, runTensorHook } from '../graph/node.js';
import { type Storage, storageSerialMark, TensorImpl } from '../graph/tensor-impl.js';
import { AccumulateGrad, cloneOp, gradientEdge } from '../ops/define.js';
import { add, toDtype } from '../ops/elementwise.js';
import { kContiguous, kCopyInto, kFull, kReduce, kRelease, kUnary } from '../ops/kernels.js';
import { sumTo } from '../ops/reduce.js';
import { check, checkType, fmtShape } from '../util/assert.js';

/** Options of `backward`. @example { retainGraph: true } */
export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** Accumulate only into these tensors' `.grad` (one tensor or several). */
  inputs?: readonly TensorImpl[] | TensorImpl;
}

/** Options of `autograd.grad`. @example { createGraph: true, allowUnused: true } */
export interface GradOptions {
  gradOutputs?: readonly (TensorImpl | null)[] | TensorImpl | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

interface Task {
  readonly roots: readonly TensorImpl[];
  readonly grads: readonly Grad[];
  readonly retainGraph: boolean;
  readonly createGraph: boolean;
  /** Gradients captured at these edges instead of accumulated (autograd.grad, or non-leaf `inputs`). */
  readonly captures: readonly (readonly [Node, number])[];
  /** AccumulateGrad nodes to run when only some leaves are wanted (backward with `inputs`). */
  readonly targets: readonly Node[] | null;
}

/**
 * Max-heap of nodes by sequence number: PyTorch's ReadyQueue, a std::priority_queue. Its push and pop follow
 * libstdc++'s push_heap and pop_heap (__adjust_heap) step for step, so that nodes of equal priority (the
 * AccumulateGrad nodes of several leaves) come out in PyTorch's order, which is the order their hooks run in.
 */
class ReadyQueue {
  private heap: Node[] = [];
  get size(): number {
    return this.heap.length;
  }
  private siftUp(hole: number, top: number, n: Node): void {
    const h = this.heap;
    let parent = (hole - 1) >> 1;
    while (hole > top && h[parent]!.sequenceNr < n.sequenceNr) {
      h[hole] = h[parent]!;
      hole = parent;
      parent = (hole - 1) >> 1;
    }
    h[hole] = n;
  }
  push(n: Node): void {
    this.heap.push(n);
    this.siftUp(this.heap.length - 1, 0, n);
  }
  pop(): Node {
    const h = this.heap;
    const top = h[0]!;
    const value = h.pop()!;
    const len = h.length;
    if (len === 0) return top;
    let hole = 0;
    let child = 0;
    while (child < (len - 1) >> 1) {
      child = 2 * (child + 1);
      if (h[child]!.sequenceNr < h[child - 1]!.sequenceNr) child--;
      h[hole] = h[child]!;
      hole = child;
    }
    if ((len & 1) === 0 && child === (len - 2) >> 1) {
      child = 2 * (child + 1);
      h[hole] = h[child - 1]!;
      hole = child - 1;
    }
    this.siftUp(hole, 0, value);
    return top;
  }
}

/** Every node reachable from the roots, with the number of edges into each (compute_dependencies). */
function dependencies(rootNodes: readonly Node[]): Map<Node, number> {
  const deps = new Map<Node, number>();
  const seen = new Set<Node>(rootNodes);
  const stack = [...seen];
  while (stack.length) {
    const n = stack.pop()!;
    for (const [next] of n.nextFunctions) {
      if (next === null) continue;
      deps.set(next, (deps.get(next) ?? 0) + 1);
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return deps;
}

/**
 * Nodes that must run (PyTorch's exec_info `needed_`), computed iteratively in post-order: the targets, and every
 * node with an edge into a needed node or a capture point. A capture point that leads nowhere further is not run:
 * its incoming gradient is only read (autograd.grad never runs the AccumulateGrad of an input, so `.grad` stays).
 */
function neededNodes(
  rootNodes: readonly Node[],
  targets: ReadonlySet<Node>,
  captures: ReadonlySet<Node>,
): Set<Node> {
  const needed = new Set<Node>();
  const done = new Set<Node>();
  const stack: [Node, number][] = rootNodes.map((n) => [n, 0]);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [n, i] = top;
    if (i === 0 && done.has(n)) {
      stack.pop();
      continue;
    }
    if (i < n.nextFunctions.length) {
      top[1]++;
      const next = n.nextFunctions[i]![0];
      if (next !== null && !done.has(next)) stack.push([next, 0]);
      continue;
    }
    stack.pop();
    done.add(n);
    if (targets.has(n) || n.nextFunctions.some(([m]) => m !== null && (needed.has(m) || captures.has(m))))
      needed.add(n);
  }
  return needed;
}

/** Makes `g` fit the input it flows to: sums broadcast dims away, casts the dtype (validate_outputs). */
function fitGradient(g: TensorImpl, fn: Node, i: number, next: Node, nr: number): TensorImpl {
  const meta = next.outputMeta[nr];
  if (!meta) return g;
  if (!sameShape(g.shape, meta.shape)) {
    const lead = g.shape.length - meta.shape.length;
    const ok = lead >= 0 && meta.shape.every((s, d) => s === g.shape[d + lead] || s === 1);
    check(
      ok,
      () =>
        `Function ${fn.name} returned an invalid gradient at index ${i} - got ${fmtShape(g.shape)} but expected ` +
        `shape compatible with ${fmtShape(meta.shape)}`,
    );
    g = sumTo(g, meta.shape);
  }
  if (g.dtype !== meta.dtype) g = toDtype(g, meta.dtype);
  return g;
}

function hasNaN(g: TensorImpl): boolean {
  const be = g.storage.backend;
  if (!be.readSync || !g.dtype.isFloatingPoint) return false;
  const anyNaN = kReduce(
    'any',
    kUnary('isnan', g, bool, g.dtype),
    g.shape.map((_, d) => d),
    bool,
  );
  return be.readSync(anyNaN.storage.buf, bool)[0] !== 0;
}

function runHooks(fn: Node, grads: Grad[]): void {
  if (fn.tensorPreHooks)
    for (const [nr, hooks] of fn.tensorPreHooks) {
      for (const h of hooks) {
        const g = grads[nr];
        if (g) grads[nr] = runTensorHook(h, g);
      }
    }
  if (fn.retainGradHooks)
    for (const [nr, h] of fn.retainGradHooks) {
      const g = grads[nr];
      if (g) h(g);
    }
}

/** In anomaly mode, an error raised by a node also says which node and where its forward was called. */
function applyWithTrace(
  fn: Node,
  grads: Grad[],
  needs: readonly boolean[] | undefined,
  owned: readonly boolean[] | undefined,
): Grad[] {
  try {
    return fn.apply(grads, needs, owned);
  } catch (e) {
    if (!(e instanceof Error) || fn.anomalyTrace === null) throw e;
    e.message += `\nError detected in ${fn.name}. Traceback of forward call that caused the error:\n${fn.anomalyTrace}`;
    throw e;
  }
}

/**
 * Note [Owned gradients]: most gradients are temporaries that the engine alone holds, and reusing their buffers
 * at once (still in cache) instead of waiting for the garbage collector is what keeps large backward passes fast.
 * PyTorch knows them by reference counts; here the engine counts, per storage, the references it holds in input
 * buffers. A storage is owned when it was made during this pass (serial at or after the pass's mark), nothing
 * outside the engine has seen it (root gradients, hooks, captures, post hooks and 'opaque' nodes taint what they
 * touch), and the count is 1. An owned gradient that a 'pure' node has consumed, and none of its outputs shares,
 * is dead: its buffer goes back to the backend. AccumulateGrad (a 'sink') may keep an owned gradient as `.grad`,
 * as PyTorch's does when use_count is 1. Under createGraph gradients are part of the new graph: nothing is owned.
 */
class Ownership {
  private readonly refs = new Map<Storage, number>();
  private readonly tainted = new Set<Storage>();
  private readonly mark = storageSerialMark();
  constructor(readonly enabled: boolean) {}

  /** The engine now holds one more reference to `g`. */
  hold(g: TensorImpl): void {
    if (this.enabled) this.refs.set(g.storage, (this.refs.get(g.storage) ?? 0) + 1);
  }
  /** `g` has been seen outside the engine: never owned. */
  taint(g: Grad): void {
    if (g && this.enabled) this.tainted.add(g.storage);
  }
  /** True when the engine's one reference is the only one there is. */
  owns(g: TensorImpl): boolean {
    const s = g.storage;
    return this.enabled && s.serial >= this.mark && this.refs.get(s) === 1 && !this.tainted.has(s);
  }
  /** The engine drops a reference; the buffer is freed when it was the last of an owned storage. */
  drop(g: TensorImpl): void {
    if (!this.enabled) return;
    const s = g.storage;
    const n = (this.refs.get(s) ?? 0) - 1;
    if (n > 0) return void this.refs.set(s, n);
    this.refs.delete(s);
    if (n === 0 && s.serial >= this.mark && !this.tainted.has(s)) {
      this.tainted.add(s); // freed once
      kRelease(g);
    }
  }
  /** A sink kept (or freed) a gradient it owned: forget it. */
  forget(g: TensorImpl): void {
    this.refs.delete(g.storage);
    this.tainted.add(g.storage);
  }
}

function execute(task: Task): Grad[] {
  const rootEdges = task.roots.map(gradientEdge);
  const rootNodes = rootEdges.map((e) => e[0]!);
  const deps = dependencies(rootNodes);
  const captureAt = new Map<Node, [number, number][]>();
  task.captures.forEach(([n, nr], i) => {
    const list = captureAt.get(n) ?? [];
    list.push([nr, i]);
    captureAt.set(n, list);
  });
  const filtered = task.targets !== null || task.captures.length > 0;
  const needed = filtered
    ? neededNodes(rootNodes, new Set<Node>(task.targets ?? []), new Set(captureAt.keys()))
    : null;
  const captured: Grad[] = task.captures.map(() => null);
  const buffers = new Map<Node, Grad[]>();
  const queue = new ReadyQueue();

  const own = new Ownership(!task.createGraph);

  const accumulate = (n: Node, nr: number, g: TensorImpl): void => {
    let buf = buffers.get(n);
    if (!buf) {
      buf = new Array<Grad>(n.outputMeta.length || 1).fill(null);
      buffers.set(n, buf);
    }
    const cur = buf[nr];
    own.hold(g);
    if (!cur) buf[nr] = g;
    else if (own.owns(cur) && cur.wholeStorage && cur.dtype === g.dtype && cur.storage !== g.storage) {
      kCopyInto(cur, g, true); // add into the buffer we own, as PyTorch's InputBuffer does
      own.drop(g);
    } else {
      const sum = add(cur, g);
      own.hold(sum);
      own.drop(cur);
      own.drop(g);
      buf[nr] = sum;
    }
  };

  // the graph root: deliver the root gradients (the caller's own tensors)
  rootEdges.forEach(([n, nr], i) => {
    const g = task.grads[i];
    own.taint(g ?? null);
    if (g) accumulate(n!, nr, g);
  });
  for (const n of new Set(rootNodes)) if (!deps.get(n)) queue.push(n);

  while (queue.size) {
    const fn = queue.pop();
    const grads = buffers.get(fn) ?? new Array<Grad>(fn.outputMeta.length || 1).fill(null);
    buffers.delete(fn);
    if (fn.tensorPreHooks || fn.retainGradHooks) {
      for (const g of grads) own.taint(g);
      runHooks(fn, grads);
      for (const g of grads) own.taint(g);
    }
    const caps = captureAt.get(fn);
    if (caps) for (const [nr, i] of caps) own.taint((captured[i] = grads[nr] ?? null));
    if (needed && !needed.has(fn)) continue;

    // with no inputs to filter by, every edge is wanted: the node uses its own (cached) mask
    const needs =
      needed === null
        ? undefined
        : fn.nextFunctions.map(([m]) => m !== null && (needed.has(m) || captureAt.has(m)));
    if (fn.gradUse === 'opaque' || fn.postHooks) for (const g of grads) own.taint(g);
    const owned = fn.gradUse === 'sink' ? grads.map((g) => g !== null && own.owns(g)) : undefined;
    let outs: Grad[];
    if (grads.every((g) => g === null)) outs = fn.nextFunctions.map(() => null);
    else {
      outs = isAnomalyEnabled() ? applyWithTrace(fn, grads, needs, owned) : fn.apply(grads, needs, owned);
      if (isAnomalyEnabled() && isAnomalyCheckNanEnabled())
        outs.forEach((g, i) => {
          if (g && hasNaN(g))
            throw new Error(
              `Function '${fn.name}' returned nan values in its ${i}th output.` +
                (fn.anomalyTrace
                  ? `\nTraceback of forward call that caused the error:\n${fn.anomalyTrace}`
                  : ''),
            );
        });
    }
    if (fn.postHooks) for (const h of fn.postHooks) h(outs, grads);
    if (fn.gradUse === 'opaque' || fn.postHooks) for (const g of outs) own.taint(g);
    if (!task.retainGraph) fn.releaseVariables();

    const edges = fn.nextFunctions;
    for (let i = 0; i < edges.length; i++) {
      const [next, nr] = edges[i]!;
      if (next === null) continue;
      const g = outs[i];
      if (g && (needs === undefined || needs[i])) accumulate(next, nr, fitGradient(g, fn, i, next, nr));
      const left = deps.get(next)! - 1;
      deps.set(next, left);
      if (left === 0) queue.push(next);
    }
    // the node is done with its inputs (after its outputs are held, so one it passed on stays alive)
    grads.forEach((g, i) => {
      if (!g) return;
      if (owned?.[i]) own.forget(g);
      else own.drop(g);
    });
  }
  return captured;
}

function runTask(task: Task): Grad[] {
  const prev = isGradEnabled();
  setGradEnabled(task.createGraph);
  try {
    return execute(task);
  } finally {
    setGradEnabled(prev);
  }
}

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Refuses what is not an options object of `known` keys, and non-boolean flags (e.g. a Python `retain_graph`). */
function checkOptions(fn: string, opts: unknown, known: readonly string[], flags: readonly string[]): void {
  checkType(
    opts !== null && typeof opts === 'object' && !Array.isArray(opts),
    () => `${fn}(): options must be an object such as { retainGraph: true }, got ${describe(opts)}`,
  );
  for (const [k, v] of Object.entries(opts as Record<string, unknown>)) {
    checkType(
      known.includes(k),
      () =>
        `${fn}() got an unexpected option '${k}'` +
        (known.includes(camel(k))
          ? `; did you mean '${camel(k)}'?`
          : `; the options are ${known.join(', ')}`),
    );
    checkType(
      !flags.includes(k) || v === undefined || typeof v === 'boolean',
      () => `${fn}(): option '${k}' must be a boolean, got ${describe(v)}`,
    );
  }
}

/** Refuses anything but tensors where tensors are expected (`what` names the argument). */
function checkTensors(fn: string, what: string, ts: readonly unknown[], nullable = false): void {
  ts.forEach((t, i) => {
    checkType(
      t instanceof TensorImpl || (nullable && (t === null || t === undefined)),
      () => `${fn}(): ${what}[${i}] must be a Tensor${nullable ? ' or null' : ''}, got ${describe(t)}`,
    );
  });
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v === 'string' ? `the string '${v}'` : `${typeof v} ${String(v)}`;
}

function rootGrads(
  outputs: readonly TensorImpl[],
  given: readonly (TensorImpl | null | undefined)[],
): TensorImpl[] {
  return outputs.map((out, i) => {
    check(
      out.requiresGrad,
      () =>
        `element ${i} of tensors does not require grad and does not have a grad_fn. Set requiresGrad on the leaves ` +
        `(torch.tensor(..., { requiresGrad: true }) or x.requiresGrad_()) and make sure the graph was built outside noGrad.`,
    );
    const g = given[i];
    if (g === null || g === undefined) {
      check(
        out.shape.reduce((a, b) => a * b, 1) === 1,
        () =>
          `grad can be implicitly created only for scalar outputs (output ${i} has shape ${fmtShape(out.shape)}). ` +
          'Pass a gradient of the same shape, e.g. y.backward(torch.onesLike(y)), or reduce it first with .sum().',
      );
      return kFull(out.shape, 1, out.dtype, out);
    }
    check(
      sameShape(g.shape, out.shape),
      () =>
        `Mismatch in shape: grad_output[${i}] has a shape of ${fmtShape(g.shape)} and output[${i}] has a shape of ` +
        `${fmtShape(out.shape)}.`,
    );
    check(
      g.dtype.isFloatingPoint === out.dtype.isFloatingPoint,
      () => `For complex/float Tensors, grad_output[${i}] must have dtype ${out.dtype}, but got ${g.dtype}.`,
    );
    return g;
  });
}

/**
 * Computes gradients of `roots` and accumulates them into the leaves' `.grad` (torch.autograd.backward).
 * @example torch.autograd.backward([loss])
 */
export function backward(
  roots: readonly TensorImpl[],
  grads: readonly (TensorImpl | null | undefined)[] = [],
  opts: BackwardOptions = {},
): void {
  checkTensors('backward', 'tensors', roots);
  checkTensors('backward', 'gradients', grads, true);
  checkOptions('backward', opts, ['retainGraph', 'createGraph', 'inputs'], ['retainGraph', 'createGraph']);
  check(
    grads.length <= roots.length,
    () =>
      `backward got ${grads.length} gradients for ${roots.length} tensors: pass one gradient (or null) per tensor.`,
  );
  const inputs = opts.inputs instanceof TensorImpl ? [opts.inputs] : opts.inputs;
  if (inputs !== undefined) {
    checkType(Array.isArray(inputs), "backward(): option 'inputs' must be a Tensor or an array of Tensors");
    checkTensors('backward', 'inputs', inputs);
  }
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const rg = rootGrads(roots, grads);
  if (inputs === undefined) {
    runTask({ roots, grads: rg, retainGraph, createGraph, captures: [], targets: null });
    return;
  }
  check(inputs.length > 0, "'inputs' argument to backward() cannot be empty.");
  const targets: Node[] = [];
  for (const t of inputs) {
    const [n] = gradientEdge(t);
    check(n !== null, 'One of the differentiated Tensors does not require grad');
    // as PyTorch: a non-leaf input retains its grad (from now on), and its node runs without going further
    if (!(n instanceof AccumulateGrad)) retainGrad(t);
    targets.push(n);
  }
  runTask({ roots, grads: rg, retainGraph, createGraph, captures: [], targets });
}

/**
 * Makes a non-leaf tensor keep its `.grad` during backward (Tensor.retainGrad): a hook on its node, run after the
 * tensor's other hooks, accumulates the gradient. A no-op on leaves and on tensors that already retain it.
 * @example retainGrad(y)
 */
export function retainGrad(t: TensorImpl): void {
  const fn = t.gradFn;
  if (fn === null || t.retainsGrad) return;
  t.retainsGrad = true;
  fn.retainGradHooks ??= new Map();
  fn.retainGradHooks.set(t.outputNr, (g) => {
    t._grad = t._grad === null ? (isGradEnabled() ? cloneOp([g]) : kContiguous(g, true)) : add(t._grad, g);
  });
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned rather than accumulated (torch.autograd.grad).
 * @example const [dx] = torch.autograd.grad([y], [x], { createGraph: true });
 */
export function grad(
  outputs: readonly TensorImpl[] | TensorImpl,
  inputs: readonly TensorImpl[] | TensorImpl,
  opts: GradOptions = {},
): (TensorImpl | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs as TensorImpl];
  const ins = Array.isArray(inputs) ? inputs : [inputs as TensorImpl];
  checkTensors('grad', 'outputs', outs);
  checkTensors('grad', 'inputs', ins);
  checkOptions(
    'grad',
    opts,
    ['gradOutputs', 'retainGraph', 'createGraph', 'allowUnused'],
    ['retainGraph', 'createGraph', 'allowUnused'],
  );
  const given =
    opts.gradOutputs === undefined || opts.gradOutputs === null
      ? []
      : Array.isArray(opts.gradOutputs)
        ? opts.gradOutputs
        : [opts.gradOutputs as TensorImpl];
  checkTensors('grad', 'gradOutputs', given, true);
  check(
    given.length === 0 || given.length === outs.length,
    () =>
      `grad requires one grad_output per output: got ${given.length} grad_outputs and ${outs.length} outputs.`,
  );
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const captures = ins.map((t) => {
    const [n, nr] = gradientEdge(t);
    check(n !== null, 'One of the differentiated Tensors does not require grad');
    return [n, nr] as const;
  });
  const got = runTask({
    roots: outs,
    grads: rootGrads(outs, given),
    retainGraph,
    createGraph,
    captures,
    targets: null,
  });
  return got.map((g, i) => {
    check(
      g !== null || opts.allowUnused,
      () =>
        `One of the differentiated Tensors (input ${i}) appears to not have been used in the graph. Set ` +
        'allowUnused: true if this is the desired behavior.',
    );
    return g;
  });
}
