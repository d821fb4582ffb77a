/**
 * @file Containers: Sequential (chains modules), ModuleList (an indexable list) and ModuleDict (a keyed map), each
 * registering its modules so that parameters, state dicts and printing see them (keys '0', '1'... as PyTorch).
 */

import type { Tensor } from '../tensor/tensor.js';
import { check, checkType, isInt } from '../util/assert.js';
import { Module } from './module.js';

function checkModule(m: unknown, where: string): asserts m is Module {
  checkType(
    m instanceof Module,
    () => `${where}: ${m === null ? 'null' : typeof m} is not a Module subclass`,
  );
}

/** The numbered children of a list-like container, in order. */
function numbered(c: Module): Module[] {
  const out: Module[] = [];
  for (let i = 0; ; i++) {
    const m = (c as unknown as Record<string, unknown>)[String(i)];
    if (!(m instanceof Module)) return out;
    out.push(m);
  }
}

/** Replaces the numbered children of a list-like container by `mods`. */
function renumber(c: Module, mods: readonly Module[]): void {
  const rec = c as unknown as Record<string, unknown>;
  for (let i = 0; rec[String(i)] instanceof Module; i++) delete rec[String(i)];
  mods.forEach((m, i) => {
    c.addModule(String(i), m);
  });
}

function index(i: number, n: number, what: string): number {
  checkType(isInt(i), `${what} indices must be integers`);
  check(i >= -n && i < n, () => `index ${i} is out of range (${what} of length ${n})`);
  return i < 0 ? i + n : i;
}

/**
 * Modules applied one after another; `seq[0]` is the first. Accepts modules, or an object of named modules.
 * @example const net = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 1));
 */
export class Sequential extends Module {
  [index: number]: Module;
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && !(first instanceof Module) && typeof first === 'object' && first !== null) {
      for (const [k, m] of Object.entries(first)) {
        checkModule(m, 'Sequential');
        this.addModule(k, m);
      }
    } else
      (modules as Module[]).forEach((m, i) => {
        checkModule(m, 'Sequential');
        this.addModule(String(i), m);
      });
  }
  /** Number of modules. @example net.length // 3 */
  override get length(): number {
    return this.namedChildren().length;
  }
  /** The module at `i` (negative counts from the end). @example net.at(-1) */
  at(i: number): Module {
    const kids = this.children();
    return kids[index(i, kids.length, 'Sequential')]!;
  }
  /** Appends a module. @example net.append(new nn.ReLU()) */
  append(m: Module): this {
    checkModule(m, 'Sequential.append');
    this.addModule(String(this.length), m);
    return this;
  }
  /** A Sequential of modules `start..end`. @example net.slice(0, 2) */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(...this.children().slice(start, end));
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
  override forward(input: Tensor): Tensor {
    let x = input;
    for (const m of this.children()) x = m(x);
    return x;
  }
}

/**
 * A list of submodules, indexable (`list[0]`) and registered (no forward of its own).
 * @example const blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]);
 */
export class ModuleList extends Module {
  [index: number]: Module;
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  /** Number of modules. @example blocks.length */
  override get length(): number {
    return numbered(this).length;
  }
  /** The module at `i` (negative counts from the end). @example blocks.at(-1) */
  at(i: number): Module {
    const mods = numbered(this);
    return mods[index(i, mods.length, 'ModuleList')]!;
  }
  /** Appends a module. @example blocks.append(new nn.ReLU()) */
  append(m: Module): this {
    checkModule(m, 'ModuleList.append');
    this.addModule(String(this.length), m);
    return this;
  }
  /** Appends several modules. @example blocks.extend([a, b]) */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }
  /** Inserts a module before index `i`. @example blocks.insert(0, new nn.ReLU()) */
  insert(i: number, m: Module): void {
    checkModule(m, 'ModuleList.insert');
    const mods = numbered(this);
    const at = i < 0 ? Math.max(0, mods.length + i) : Math.min(i, mods.length);
    mods.splice(at, 0, m);
    renumber(this, mods);
  }
  /** Removes and returns the module at `i` (the last by default). @example blocks.pop() */
  pop(i = -1): Module {
    const mods = numbered(this);
    const [m] = mods.splice(index(i, mods.length, 'ModuleList'), 1);
    renumber(this, mods);
    return m!;
  }
  [Symbol.iterator](): Iterator<Module> {
    return numbered(this)[Symbol.iterator]();
  }
}

/**
 * Submodules under string keys, in insertion order (keys are kept apart from the module's own members).
 * @example const heads = new nn.ModuleDict({ cls: new nn.Linear(8, 10), box: new nn.Linear(8, 4) }); heads.get('cls')
 */
export class ModuleDict extends Module {
  readonly #entries = new Map<string, Module>();
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }
  override namedChildren(): [string, Module][] {
    return [...this.#entries];
  }
  /** The module under `key`. @example heads.get('cls') */
  get(key: string): Module {
    const m = this.#entries.get(key);
    check(
      m !== undefined,
      () => `ModuleDict has no key '${key}' (keys: ${[...this.#entries.keys()].join(', ')})`,
    );
    return m;
  }
  /** Sets the module under `key`. @example heads.set('seg', new nn.Conv2d(8, 2, 1)) */
  set(key: string, m: Module): this {
    checkType(
      typeof key === 'string' && key !== '' && !key.includes('.'),
      () => `module name must be a non-empty string without '.', got ${String(key)}`,
    );
    checkModule(m, 'ModuleDict');
    this.#entries.set(key, m);
    return this;
  }
  /** Whether `key` is present. @example heads.has('cls') */
  has(key: string): boolean {
    return this.#entries.has(key);
  }
  /** Removes and returns the module under `key`. @example heads.pop('box') */
  pop(key: string): Module {
    const m = this.get(key);
    this.#entries.delete(key);
    return m;
  }
  /** Adds every entry of `modules`. @example heads.update({ extra: new nn.ReLU() }) */
  update(modules: Record<string, Module> | Iterable<[string, Module]>): this {
    const it =
      Symbol.iterator in Object(modules) ? (modules as Iterable<[string, Module]>) : Object.entries(modules);
    for (const [k, m] of it) this.set(k, m);
    return this;
  }
  /** Keys in order. @example heads.keys() */
  keys(): string[] {
    return [...this.#entries.keys()];
  }
  /** Modules in order. @example heads.values() */
  values(): Module[] {
    return [...this.#entries.values()];
  }
  /** [key, module] pairs in order. @example heads.items() */
  items(): [string, Module][] {
    return [...this.#entries];
  }
  /** Number of entries. @example heads.size */
  get size(): number {
    return this.#entries.size;
  }
  [Symbol.iterator](): Iterator<string> {
    return this.#entries.keys();
  }
}
