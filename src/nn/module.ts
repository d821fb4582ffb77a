/**
 * @file nn.Module: parameters, buffers and submodules found from the module's own properties (PyTorch's
 * `__setattr__` registration, without a proxy), state dicts, train/eval, hooks, and PyTorch's printed form.
 * A module is callable: `model(x)` runs the forward hooks and `forward(x)` (see Note [Callable modules]).
 */
import { DType, float32, float64 } from '../core/dtype.js';
import { noGrad } from '../graph/grad-mode.js';
import { Tensor } from '../tensor/tensor.js';
import { check, checkType } from '../util/assert.js';
import { Parameter } from './parameter.js';

/** A module's state: names to tensors, in PyTorch's order (own parameters, own buffers, then children). @example model.stateDict()['fc.weight'] */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict` reports. @example const { missingKeys, unexpectedKeys } = model.loadStateDict(sd, { strict: false }); */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A hook run before forward; it may return replacement arguments (an array). @example (m, args) => [args[0].mul(2)] */
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown[] | undefined | void;
/** A hook run after forward; it may return a replacement output. @example (m, args, out) => out.relu() */
export type ForwardHook = (module: Module, args: unknown[], output: unknown) => unknown;
/** A handle that removes a hook. @example const h = m.registerForwardHook(f); h.remove(); */
export interface RemovableHandle {
  remove(): void;
}

interface Hidden {
  /** Buffer names, each with its persistence (persistent buffers go into the state dict). */
  readonly buffers: Map<string, boolean>;
  readonly preHooks: ForwardPreHook[];
  readonly hooks: ForwardHook[];
}

const HIDDEN = Symbol('tsgrad.module');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Note [Callable modules]: the constructor returns a function object whose prototype is the subclass's, so
 * `model(x)` works and `instanceof` holds; subclass fields land on that object as usual. Its own `name` and
 * `length` are deleted so that modules may use those names, and Module.prototype sits on Function.prototype.
 * @example const fc = new nn.Linear(3, 2); fc(torch.randn(4, 3)) // same as fc.forward(...)
 */
export interface Module {
  /** Runs the module: forward pre-hooks, `forward(...args)`, forward hooks. */
  // biome-ignore lint/style/useShorthandFunctionType: merged into the class, so it must stay an interface
  (...args: Parameters<this['forward']>): ReturnType<this['forward']>;
}

/**
 * Base class of every layer and model. Assigning a Parameter or a Module to a property registers it; buffers are
 * registered with `registerBuffer`. Override `forward`; call the module as `model(x)` or `model.forward(x)`.
 * @example
 * class Net extends nn.Module {
 *   fc = new nn.Linear(3, 2);
 *   forward(x: torch.Tensor) { return this.fc(x).relu(); }
 * }
 * const y = new Net()(torch.randn(4, 3));
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class Module {
  /** True in training mode (set by `train()` / `eval()`). */
  declare training: boolean;
  declare private readonly [HIDDEN]: Hidden;

  constructor() {
    const self = ((...args: unknown[]) => callModule(self, args)) as unknown as Module;
    delete (self as { name?: unknown }).name;
    delete (self as { length?: unknown }).length;
    Object.setPrototypeOf(self, new.target.prototype);
    Object.defineProperty(self, HIDDEN, {
      value: { buffers: new Map(), preHooks: [], hooks: [] },
      enumerable: false,
    });
    self.training = true;
    // biome-ignore lint/correctness/noConstructorReturn: see Note [Callable modules]
    return self;
  }

  /** The computation; subclasses override it. @example model.forward(x) */
  // biome-ignore lint/suspicious/noExplicitAny: any (not unknown), so that subclasses with typed forwards stay Modules
  forward(..._args: any[]): any {
    throw new Error(
      `Module [${this.constructor.name}] is missing the required "forward" function. Define forward(...) in your subclass.`,
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // registration

  /**
   * Registers a tensor that is state but not a parameter (e.g. BatchNorm's running mean); persistent buffers
   * are saved in the state dict.
   * @example this.registerBuffer('runningMean', torch.zeros(3));
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkName(name, 'buffer');
    checkType(
      tensor === null || tensor instanceof Tensor,
      () => `cannot assign '${typeOf(tensor)}' object to buffer '${name}' (torch Tensor or null required)`,
    );
    check(!(name in this) || this[HIDDEN].buffers.has(name), () => `attribute '${name}' already exists`);
    (this as unknown as Record<string, unknown>)[name] = tensor;
    this[HIDDEN].buffers.set(name, opts.persistent ?? true);
  }

  /**
   * Registers a parameter under `name` (the same as assigning it to `this[name]`).
   * @example this.registerParameter('scale', new nn.Parameter(torch.ones(1)));
   */
  registerParameter(name: string, param: Parameter | null): void {
    checkName(name, 'parameter');
    checkType(
      param === null || param instanceof Parameter,
      () => `cannot assign '${typeOf(param)}' object to parameter '${name}' (nn.Parameter or null required)`,
    );
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /**
   * Registers a submodule under `name` (the same as assigning it to `this[name]`).
   * @example this.addModule('fc', new nn.Linear(3, 2));
   */
  addModule(name: string, module: Module | null): void {
    checkName(name, 'module');
    checkType(
      module === null || module instanceof Module,
      () => `${typeOf(module)} is not a Module subclass`,
    );
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  /** Alias of addModule. @example this.registerModule('fc', new nn.Linear(3, 2)); */
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  // -------------------------------------------------------------------------------------------------------------
  // traversal

  /** Direct submodules with their names, in registration order. @example for (const [name, m] of model.namedChildren()) ... */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [k, v] of ownEntries(this))
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        out.push([k, v]);
      }
    return out;
  }

  /** Direct submodules. @example model.children().length */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every submodule (each once), depth first, with dotted names ('' for this one). @example model.namedModules() */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const memo = new Set<Module>();
    const stack: [string, Module][] = [[prefix, this]];
    while (stack.length) {
      const [name, m] = stack.pop()!;
      if (memo.has(m)) continue;
      memo.add(m);
      out.push([name, m]);
      const kids = m.namedChildren();
      for (let i = kids.length - 1; i >= 0; i--) {
        const [k, c] = kids[i]!;
        stack.push([name ? `${name}.${k}` : k, c]);
      }
    }
    return out;
  }

  /** This module and every submodule. @example model.modules().filter((m) => m instanceof nn.Linear) */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters registered on this module itself (not its children). */
  private ownParameters(): [string, Parameter][] {
    const bufs = this[HIDDEN].buffers;
    return ownEntries(this).filter(
      (e): e is [string, Parameter] => e[1] instanceof Parameter && !bufs.has(e[0]),
    );
  }

  private ownBuffers(persistentOnly: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, persistent] of this[HIDDEN].buffers) {
      const v = (this as unknown as Record<string, unknown>)[k];
      if (v instanceof Tensor && (persistent || !persistentOnly)) out.push([k, v]);
    }
    return out;
  }

  /**
   * Parameters with dotted names, each once (shared parameters appear under their first name).
   * @example model.namedParameters() // [['fc.weight', Parameter], ['fc.bias', Parameter]]
   */
  namedParameters(opts: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    const mods =
      opts.recurse === false
        ? ([[opts.prefix ?? '', this]] as [string, Module][])
        : this.namedModules(opts.prefix ?? '');
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [mp, m] of mods)
      for (const [k, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([mp ? `${mp}.${k}` : k, p]);
      }
    return out;
  }

  /** Every parameter (each once), as the optimizer wants them. @example new optim.SGD(model.parameters(), { lr: 0.1 }) */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters({ recurse }).map(([, p]) => p);
  }

  /** Buffers with dotted names. @example bn.namedBuffers() // [['runningMean', ...], ...] */
  namedBuffers(opts: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
    const mods =
      opts.recurse === false
        ? ([[opts.prefix ?? '', this]] as [string, Module][])
        : this.namedModules(opts.prefix ?? '');
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [mp, m] of mods)
      for (const [k, b] of m.ownBuffers(false)) {
        if (seen.has(b)) continue;
        seen.add(b);
        out.push([mp ? `${mp}.${k}` : k, b]);
      }
    return out;
  }

  /** Every buffer. @example model.buffers().length */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers({ recurse }).map(([, b]) => b);
  }

  /**
   * The submodule at a dotted path.
   * @example model.getSubmodule('encoder.0')
   */
  getSubmodule(target: string): Module {
    if (target === '') return this;
    let m: Module = this;
    for (const part of target.split('.')) {
      const next = m.namedChildren().find(([k]) => k === part)?.[1];
      check(next !== undefined, () => `${m.constructor.name} has no attribute \`${part}\``);
      m = next;
    }
    return m;
  }

  // -------------------------------------------------------------------------------------------------------------
  // modes and gradients

  /** Sets training mode on this module and every submodule. @example model.train() */
  train(mode = true): this {
    checkType(typeof mode === 'boolean', 'training mode is expected to be boolean');
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (dropout off, batch norm uses running statistics). @example model.eval() */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears the gradients of every parameter: sets them to null (the default, as PyTorch 2) or zeroes them.
   * @example model.zeroGrad() ; model.zeroGrad({ setToNone: false })
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (opts.setToNone ?? true) p.grad = null;
      else {
        const g = p.grad;
        if (g.gradFn !== null) g.detach_();
        else g.requiresGrad_(false);
        g.zero_();
      }
    }
  }

  /** Sets requiresGrad on every parameter. @example model.requiresGrad_(false) // freeze */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Calls `fn` on every submodule (children first) and on this module. @example model.apply((m) => { if (m instanceof nn.Linear) nn.init.zeros_(m.bias!); }) */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  // -------------------------------------------------------------------------------------------------------------
  // dtype / device

  /**
   * Converts floating-point parameters and buffers to `dtype` and/or moves everything to `device`, in place (the
   * Parameter objects stay the same, so optimizers keep working).
   * @example model.to(torch.float64) ; model.to({ device: 'cpu' })
   */
  to(target: DType | string | { dtype?: DType; device?: string }): this {
    const spec =
      typeof target === 'string' ? { device: target } : target instanceof DType ? { dtype: target } : target;
    return this.applyToTensors((t) => {
      let r = t;
      if (spec.dtype && r.dtype.isFloatingPoint) r = r.to(spec.dtype);
      if (spec.device) r = r.to(spec.device);
      return r;
    });
  }

  /** Floating-point parameters and buffers to float64. @example model.double() */
  double(): this {
    return this.to({ dtype: float64 });
  }

  /** Floating-point parameters and buffers to float32. @example model.float() */
  float(): this {
    return this.to({ dtype: float32 });
  }

  private applyToTensors(fn: (t: Tensor) => Tensor): this {
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m.ownParameters()) {
          const d = fn(p.detach());
          if (d.storage !== p.storage) setData(p, d);
          const g = p._grad as Tensor | null;
          if (g) p._grad = fn(g.detach());
        }
        for (const [k, b] of m.ownBuffers(false)) (m as unknown as Record<string, unknown>)[k] = fn(b);
      }
    });
    return this;
  }

  // -------------------------------------------------------------------------------------------------------------
  // state dict

  /**
   * Every persistent parameter and buffer under its dotted name (detached tensors sharing storage with the model,
   * unless `keepVars`).
   * @example torch.save(model.stateDict(), 'model.safetensors')
   */
  stateDict(opts: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const out: StateDict = {};
    for (const [mp, m] of this.namedModules(opts.prefix ?? '')) {
      const pre = mp ? `${mp}.` : '';
      for (const [k, p] of m.ownParameters()) out[pre + k] = opts.keepVars ? p : p.detach();
      for (const [k, b] of m.ownBuffers(true)) out[pre + k] = opts.keepVars ? b : b.detach();
    }
    return out;
  }

  /**
   * Copies tensors from `stateDict` into this module's parameters and buffers. With `strict` (the default), missing
   * and unexpected keys are errors; shape mismatches always are. Returns the keys that did not match.
   * @example model.loadStateDict(await torch.load('model.safetensors'))
   */
  loadStateDict(
    stateDict: StateDict | Map<string, Tensor>,
    opts: { strict?: boolean } = {},
  ): IncompatibleKeys {
    const strict = opts.strict ?? true;
    const entries = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const errors: string[] = [];
    const missingKeys: string[] = [];
    const expected = new Set<string>();
    const copies: [Tensor, Tensor, string][] = [];
    for (const [mp, m] of this.namedModules()) {
      const pre = mp ? `${mp}.` : '';
      for (const [k, t] of [...m.ownParameters(), ...m.ownBuffers(true)]) {
        const key = pre + k;
        expected.add(key);
        let src = entries.get(key);
        if (src === undefined) {
          missingKeys.push(key);
          continue;
        }
        checkType(
          src instanceof Tensor,
          () => `loadStateDict: the value of '${key}' is not a Tensor (got ${typeOf(src)})`,
        );
        if (t.shape.length === 0 && src.shape.length === 1 && src.shape[0] === 1) src = src.reshape([]);
        if (src.shape.length !== t.shape.length || src.shape.some((s, i) => s !== t.shape[i])) {
          errors.push(
            `size mismatch for ${key}: copying a param with shape torch.Size([${src.shape.join(', ')}]) from checkpoint, ` +
              `the shape in current model is torch.Size([${t.shape.join(', ')}]).`,
          );
          continue;
        }
        copies.push([t, src, key]);
      }
    }
    const unexpectedKeys = [...entries.keys()].filter((k) => !expected.has(k));
    if (strict) {
      if (unexpectedKeys.length)
        errors.unshift(
          `Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `,
        );
      if (missingKeys.length)
        errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length)
      throw new Error(
        `Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}` +
          (strict && (missingKeys.length || unexpectedKeys.length)
            ? '\n(pass { strict: false } to loadStateDict to load the matching keys only)'
            : ''),
      );
    noGrad(() => {
      for (const [t, src] of copies) t.copy_(src);
    });
    return { missingKeys, unexpectedKeys };
  }

  // -------------------------------------------------------------------------------------------------------------
  // hooks

  /**
   * Registers `hook(module, args)`, run before every forward; it may return replacement arguments.
   * @example m.registerForwardPreHook((m, [x]) => [x.float()])
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const list = this[HIDDEN].preHooks;
    list.push(hook);
    return { remove: () => void (list.includes(hook) && list.splice(list.indexOf(hook), 1)) };
  }

  /**
   * Registers `hook(module, args, output)`, run after every forward; it may return a replacement output.
   * @example const acts: Tensor[] = []; m.registerForwardHook((m, a, out) => void acts.push(out as Tensor))
   */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const list = this[HIDDEN].hooks;
    list.push(hook);
    return { remove: () => void (list.includes(hook) && list.splice(list.indexOf(hook), 1)) };
  }

  // -------------------------------------------------------------------------------------------------------------
  // printing

  /** The text inside this module's parentheses, e.g. `in_features=3, out_features=2, bias=True`. @example lin.extraRepr() */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's printed form, submodules indented. @example String(new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU())) */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = this.namedChildren().map(([k, m]) => `(${k}): ${addIndent(String(m), 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.constructor.name}(`;
    if (lines.length) {
      if (extraLines.length === 1 && childLines.length === 0) s += extraLines[0];
      else s += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${s})`;
  }

  /** @internal Node's util.inspect / console.log. */
  [INSPECT](): string {
    return this.toString();
  }
}

Object.setPrototypeOf(Module.prototype, Function.prototype);

function callModule(m: Module, args: unknown[]): unknown {
  const h = (m as unknown as { [HIDDEN]: Hidden })[HIDDEN];
  for (const hook of h.preHooks) {
    const r = hook(m, args);
    if (r !== undefined) args = Array.isArray(r) ? r : [r];
  }
  let out = m.forward(...args);
  for (const hook of h.hooks) {
    const r = hook(m, args, out);
    if (r !== undefined) out = r;
  }
  return out;
}

function ownEntries(m: Module): [string, unknown][] {
  return Object.keys(m).map((k) => [k, (m as unknown as Record<string, unknown>)[k]]);
}

function checkName(name: string, what: string): void {
  checkType(typeof name === 'string', () => `${what} name should be a string. Got ${typeOf(name)}`);
  check(name !== '', () => `${what} name can't be empty string ""`);
  check(!name.includes('.'), () => `${what} name can't contain "."`);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object' || typeof v === 'function') return (v as object).constructor?.name ?? typeof v;
  return typeof v;
}

/** Points a Parameter at new data, keeping the object (PyTorch's `param.data = ...`). */
function setData(p: Parameter, d: Tensor): void {
  p.storage = d.storage;
  p.shape = d.shape;
  p.strides = d.strides;
  p.offset = d.offset;
  p.gradAccumulator = null;
}

function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  return [lines[0], ...lines.slice(1).map((l) => ' '.repeat(n) + l)].join('\n');
}

/**
 * Python's repr of a float: `1e-05`, `0.1`, `1.0`.
 * @example pyFloat(1e-5) // '1e-05'
 */
export function pyFloat(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = x.toExponential().split('e') as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(x);
}

/**
 * Python's repr of a bool.
 * @example pyBool(true) // 'True'
 */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/**
 * Python's repr of a tuple of ints: `(3, 3)`, `(4,)`.
 * @example pyTuple([3, 3]) // '(3, 3)'
 */
export const pyTuple = (xs: readonly number[]): string =>
  xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`;
