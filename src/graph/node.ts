/**
 * @file Autograd graph vocabulary (PyTorch's function.h, edge.h, saved_variable.h): `Node`, `Edge`,
 * `SavedTensor` with its version check, and tensor hooks. Nodes compute nothing here; ops subclass them.
 */
import type { DType } from '../core/dtype.js';
import { check, checkType } from '../util/assert.js';
import type { TensorImpl } from './tensor-impl.js';

/** `[node, inputNr]`: where a gradient flows next; `null` for inputs that need no gradient. @example const e: Edge = [node, 0]; */
export type Edge = readonly [Node | null, number];

/** A gradient, or null where none flows. @example const g: Grad = null; */
export type Grad = TensorImpl | null;

/** A tensor hook: may return a replacement gradient. @example const h: TensorHook = (g) => g.mul(2); */
export type TensorHook = (grad: TensorImpl) => TensorImpl | undefined | void;

/** Shape and dtype of one forward output of a node: what the gradient arriving there must look like. @example {shape: [2], dtype: float32} */
export interface OutputMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

let nextSequenceNr = 0;

/**
 * A backward function in the graph. `nextFunctions` point to the nodes of the inputs of the op that made it.
 * @example String(y.gradFn) // '<MulBackward0>'
 */
export abstract class Node {
  /** PyTorch's node name, e.g. `'MulBackward0'`. */
  abstract readonly name: string;
  /** Creation order; the engine runs ready nodes with higher numbers first, as PyTorch does. */
  readonly sequenceNr: number = nextSequenceNr++;
  /** One edge per forward input. */
  nextFunctions: Edge[] = [];
  /** Metadata of each forward output: the shape and dtype its incoming gradient must have. */
  outputMeta: OutputMeta[] = [];
  /** Hooks registered on the tensors this node produced, by output index; they run before the node. */
  tensorPreHooks: Map<number, TensorHook[]> | null = null;
  /** `retainGrad()` hooks, run after the other tensor hooks. */
  retainGradHooks: Map<number, (grad: TensorImpl) => void> | null = null;
  /** Hooks called with (gradInputs, gradOutputs) after the node ran. */
  postHooks: ((gradInputs: Grad[], gradOutputs: Grad[]) => void)[] | null = null;
  /**
   * What the node does with gradients, for the engine's buffer reuse (Note [Owned gradients] in engine.ts):
   * 'opaque' nodes (custom functions) may keep references to what they receive or return; 'pure' nodes (built-in
   * formulas) keep nothing after `apply`; a 'sink' (AccumulateGrad) may keep a gradient the engine says it owns.
   */
  readonly gradUse: 'opaque' | 'pure' | 'sink' = 'opaque';
  /** Where the forward op was called, recorded in anomaly mode. */
  anomalyTrace: string | null = null;
  /** @internal The backward task these fields belong to (Note [Task fields] in engine.ts); 0 for none. */
  taskId = 0;
  /** @internal Edges into this node that the task has yet to process (PyTorch's dependencies_). */
  taskDeps = 0;
  /** @internal Gradients of this node's outputs gathered so far by the task (PyTorch's InputBuffer). */
  taskBuffer: Grad[] | null = null;

  /**
   * Computes the gradients of the inputs from the gradients of the outputs. `needs[i]` says whether input i's
   * gradient is wanted (the engine prunes what no requested input depends on); by default, every input with an edge.
   * `owned[i]` (given to 'sink' nodes only) says no one else holds `gradOutputs[i]`: the node may keep it as is.
   */
  abstract apply(gradOutputs: Grad[], needs?: readonly boolean[], owned?: readonly boolean[]): Grad[];

  /** Drops saved tensors after backward (unless retainGraph). */
  releaseVariables(): void {}

  /** `'<MulBackward0>'`. @example String(y.gradFn) */
  toString(): string {
    return `<${this.name}>`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `<${this.name} object>`;
  }

  /**
   * Registers a hook run after this node computed its gradients.
   * @example y.gradFn.registerHook((gradInputs, gradOutputs) => console.log(gradInputs))
   */
  registerHook(fn: (gradInputs: Grad[], gradOutputs: Grad[]) => void): { remove(): void } {
    checkType(
      typeof fn === 'function',
      () => `registerHook(): expected a function (gradInputs, gradOutputs) => void, got ${typeof fn}`,
    );
    this.postHooks ??= [];
    this.postHooks.push(fn);
    return { remove: () => void (this.postHooks = this.postHooks?.filter((h) => h !== fn) ?? null) };
  }

  /** Saved tensors, for graph drawings (viz). Empty once released. @example y.gradFn.savedTensors() */
  savedTensors(): readonly { readonly name: string; readonly tensor: TensorImpl }[] {
    return [];
  }
}

/**
 * Runs a tensor hook on a gradient: returns the gradient it gives back (checked to keep the shape, dtype and device,
 * as PyTorch does), or `g` when it returns nothing.
 * @example g = runTensorHook(hook, g)
 */
export function runTensorHook(hook: TensorHook, g: TensorImpl): TensorImpl {
  const r: unknown = hook(g);
  if (r === undefined || r === null) return g;
  const t = r as TensorImpl;
  checkType(
    typeof r === 'object' && 'storage' in r && 'shape' in r,
    () => `expected a Tensor, but hook returned '${typeof r}'. A hook returns a new gradient or nothing.`,
  );
  const same = t.shape.length === g.shape.length && t.shape.every((d, i) => d === g.shape[i]);
  check(
    same,
    () => `hook has changed the size of value (was [${g.shape.join(', ')}], got [${t.shape.join(', ')}])`,
  );
  check(
    t.dtype === g.dtype && t.device === g.device,
    () =>
      `hook has changed the type of value (was ${tensorDescription(g).slice(1, -1)} got ` +
      `${tensorDescription(t).slice(1, -1)}${t.device !== g.device ? ` on ${t.device}` : ''})`,
  );
  return t;
}

/**
 * PyTorch's type-and-shape string of a tensor in messages, e.g. `[torch.FloatTensor [2, 3]]`.
 * @example tensorDescription(t) // '[torch.FloatTensor [2, 3]]'
 */
export function tensorDescription(t: { dtype: DType; shape: readonly number[] }): string {
  const names = { float32: 'Float', float64: 'Double', int32: 'Int', bool: 'Bool' } as const;
  return `[torch.${names[t.dtype.name]}Tensor [${t.shape.join(', ')}]]`;
}

/**
 * A tensor saved for backward, with the version it had then (PyTorch's SavedVariable).
 * Unpacking checks that it was not modified in place since and that the graph was not freed.
 * @example const s = new SavedTensor(x); s.unpack('MulBackward0')
 */
export class SavedTensor {
  private t: TensorImpl | null;
  private readonly version: number;
  constructor(t: TensorImpl) {
    this.t = t;
    this.version = t.version;
  }
  /** The saved tensor, or an error saying why it cannot be used. */
  unpack(nodeName: string): TensorImpl {
    const t = this.t;
    if (t === null)
      throw new Error(
        `${nodeName}: Trying to backward through the graph a second time (or directly access saved tensors after ` +
          'they have already been freed). Saved intermediate values of the graph are freed when you call .backward() ' +
          'or autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time or ' +
          'if you need to access saved tensors after calling backward.',
      );
    if (t.version !== this.version) {
      const fn = t.gradFn;
      const from = fn ? `, which is output ${t.outputNr} of ${fn.name},` : '';
      throw new Error(
        `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
          `${tensorDescription(t)}${from} is at version ${t.version}; expected version ${this.version} instead. ` +
          `It was saved for ${nodeName}. Hint: enable anomaly detection to find the operation that failed to compute ` +
          'its gradient, with torch.autograd.detectAnomaly(() => ...). Fix: do not modify this tensor in place ' +
          'before backward (use the out-of-place op, e.g. add instead of add_, or clone() it first).',
      );
    }
    return t;
  }
  /** The saved tensor without checks, or null once freed (for drawings). */
  peek(): TensorImpl | null {
    return this.t;
  }
  /** Frees the reference (after backward without retainGraph). */
  release(): void {
    this.t = null;
  }
}
