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

/**
 * Note [Task fields]: the state a backward task keeps per node (the number of edges into it yet to be processed, and
 * the gradients gathered for it so far) lives on the node itself, tagged with the task's id, instead of in Maps
 * keyed by node: a field read costs far less than a hash lookup, and a graph of small ops spends most of its
 * backward on this bookkeeping. A field is valid only while `node.taskId` is the task's id: a node last claimed by
 * an earlier task (finished, or abandoned by an error) is claimed afresh. A task may start inside another (a hook
 * calling `autograd.grad` on the same graph): the inner task saves the values of every node it claims and puts them
 * back when it ends, so the outer task finds its own state as it left it (tasks nest strictly: JS runs one at a time).
 */
class TaskNodes {
  /** Every node reachable from the roots, in the order found (compute_dependencies). */
  readonly nodes: Node[] = [];
  private readonly saved: { id: number; deps: number; buffer: Grad[] | null }[] | null;
  constructor(
    readonly id: number,
    nested: boolean,
  ) {
    this.saved = nested ? [] : null;
  }

  /** Makes `n`'s fields this task's (fresh), unless they already are. */
  private claim(n: Node): void {
    if (n.taskId === this.id) return;
    this.saved?.push({ id: n.taskId, deps: n.taskDeps, buffer: n.taskBuffer });
    n.taskId = this.id;
    n.taskDeps = 0;
    n.taskBuffer = null;
    this.nodes.push(n);
  }

  /** Claims every node reachable from the roots and counts the edges into each. */
  countDependencies(rootNodes: readonly Node[]): void {
    for (const n of rootNodes) this.claim(n);
    const nodes = this.nodes;
    for (let k = 0; k < nodes.length; k++) {
      const edges = nodes[k]!.nextFunctions;
      for (let i = 0; i < edges.length; i++) {
        const next = edges[i]![0];
        if (next === null) continue;
        this.claim(next);
        next.taskDeps++;
      }
    }
  }

  /** Ends the task: gradients left in buffers (after an error) are dropped, a nested task's nodes restored. */
  release(): void {
    const { nodes, saved } = this;
    for (let k = 0; k < nodes.length; k++) {
      const n = nodes[k]!;
      const old = saved?.[k];
      n.taskId = old?.id ?? 0;
      n.taskDeps = old?.deps ?? 0;
      n.taskBuffer = old?.buffer ?? null;
    }
  }
}

/** The id of the last task started, and how many tasks are running (nested in hooks). */
let lastTaskId = 0;
let runningTasks = 0;

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
  private readonly mark = storageSerialMark();
  /**
   * The engine's count of each storage lives on the storage (`engineRefs`, valid while `engineTask` is this task:
   * see Note [Task fields]). A task nested in another's hook does not own anything, so that it never touches the
   * counts of the task it runs inside.
   */
  constructor(
    readonly enabled: boolean,
    private readonly id: number,
  ) {}

  private refs(s: Storage): number {
    if (s.engineTask !== this.id) {
      s.engineTask = this.id;
      s.engineRefs = 0;
    }
    return s.engineRefs;
  }
  /** The engine now holds one more reference to `g`. */
  hold(g: TensorImpl): void {
    if (this.enabled && this.refs(g.storage) !== TAINTED) g.storage.engineRefs++;
  }
  /** `g` has been seen outside the engine: never owned. */
  taint(g: Grad): void {
    if (g && this.enabled) this.forget(g);
  }
  /** True when the engine's one reference is the only one there is. */
  owns(g: TensorImpl): boolean {
    const s = g.storage;
    return this.enabled && s.serial >= this.mark && s.engineTask === this.id && s.engineRefs === 1;
  }
  /** The engine drops a reference; the buffer is freed when it was the last of an owned storage. */
  drop(g: TensorImpl): void {
    if (!this.enabled) return;
    const s = g.storage;
    if (this.refs(s) <= 0) return; // tainted, or not held
    if (--s.engineRefs === 0 && s.serial >= this.mark) {
      s.engineRefs = TAINTED; // freed once
      kRelease(g);
    }
  }
  /** A sink kept (or freed) a gradient it owned: forget it. */
  forget(g: TensorImpl): void {
    this.refs(g.storage);
    g.storage.engineRefs = TAINTED;
  }
}

/** `engineRefs` of a storage seen outside the engine (or freed): never owned again in this task. */
const TAINTED = -1;

/** A fresh input buffer: one slot per output of `n`. */
function emptyBuffer(n: Node): Grad[] {
  const k = n.outputMeta.length;
  return k <= 1 ? [null] : new Array<Grad>(k).fill(null);
}

function allNull(grads: readonly Grad[]): boolean {
  for (let i = 0; i < grads.length; i++) if (grads[i] !== null) return false;
  return true;
}

/** For each node gradients are captured at: `[inputNr, index of the capture]` pairs. */
function capturesByNode(captures: Task['captures']): Map<Node, [number, number][]> {
  const at = new Map<Node, [number, number][]>();
  captures.forEach(([n, nr], i) => {
    const list = at.get(n) ?? [];
    list.push([nr, i]);
    at.set(n, list);
  });
  return at;
}

function execute(task: Task, nodes: TaskNodes): Grad[] {
  const rootEdges = task.roots.map(gradientEdge);
  const rootNodes = rootEdges.map((e) => e[0]!);
  nodes.countDependencies(rootNodes);
  const captureAt = task.captures.length > 0 ? capturesByNode(task.captures) : null;
  const filtered = task.targets !== null || captureAt !== null;
  const needed = filtered
    ? neededNodes(rootNodes, new Set<Node>(task.targets ?? []), new Set(captureAt?.keys() ?? []))
    : null;
  const captured: Grad[] = task.captures.map(() => null);
  const queue = new ReadyQueue();

  // a task nested in another's hooks owns nothing (Ownership)
  const own = new Ownership(!task.createGraph && runningTasks === 1, nodes.id);

  const accumulate = (n: Node, nr: number, g: TensorImpl): void => {
    const buf = (n.taskBuffer ??= emptyBuffer(n));
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
  for (const n of new Set(rootNodes)) if (n.taskDeps === 0) queue.push(n);

  while (queue.size) {
    const fn = queue.pop();
    const grads = fn.taskBuffer ?? emptyBuffer(fn);
    fn.taskBuffer = null;
    if (fn.tensorPreHooks || fn.retainGradHooks) {
      for (const g of grads) own.taint(g);
      runHooks(fn, grads);
      for (const g of grads) own.taint(g);
    }
    const caps = captureAt?.get(fn);
    if (caps) for (const [nr, i] of caps) own.taint((captured[i] = grads[nr] ?? null));
    if (needed && !needed.has(fn)) continue;

    // with no inputs to filter by, every edge is wanted: the node uses its own (cached) mask
    const needs =
      needed === null
        ? undefined
        : fn.nextFunctions.map(([m]) => m !== null && (needed.has(m) || captureAt?.has(m) === true));
    if (fn.gradUse === 'opaque' || fn.postHooks) for (const g of grads) own.taint(g);
    const owned = fn.gradUse === 'sink' ? grads.map((g) => g !== null && own.owns(g)) : undefined;
    let outs: Grad[];
    if (allNull(grads)) outs = fn.nextFunctions.map(() => null);
    else if (!isAnomalyEnabled()) outs = fn.apply(grads, needs, owned);
    else {
      outs = applyWithTrace(fn, grads, needs, owned);
      if (isAnomalyCheckNanEnabled())
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
      const edge = edges[i]!;
      const next = edge[0];
      if (next === null) continue;
      const g = outs[i];
      if (g && (needs === undefined || needs[i]))
        accumulate(next, edge[1], fitGradient(g, fn, i, next, edge[1]));
      if (--next.taskDeps === 0) queue.push(next);
    }
    // the node is done with its inputs (after its outputs are held, so one it passed on stays alive)
    for (let i = 0; i < grads.length; i++) {
      const g = grads[i];
      if (!g) continue;
      if (owned?.[i]) own.forget(g);
      else own.drop(g);
    }
  }
  return captured;
}

function runTask(task: Task): Grad[] {
  const prev = isGradEnabled();
  setGradEnabled(task.createGraph);
  const nodes = new TaskNodes(++lastTaskId, runningTasks > 0);
  runningTasks++;
  try {
    return execute(task, nodes);
  } finally {
    runningTasks--;
    nodes.release();
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
