/**
 * @file The wasm heap: one WebAssembly.Memory (shared when threads are possible) carved into size-class blocks.
 * Blocks come back when their handle is collected (FinalizationRegistry) or released; see Note [Reclaiming memory].
 */
import { importNode, nodeBuiltin } from '../../util/node-import.js';

/**
 * Note [Reclaiming memory]: tensors hold `WasmBuf` handles; a FinalizationRegistry returns a handle's block to its
 * size-class free list once the handle is garbage. Registry callbacks only run after a major GC and between tasks, so
 * a long synchronous training loop would never see them. In Node we therefore ask for a major GC ourselves, from a
 * private vm context, when fresh growth since the last reclaim passes a threshold, and drain the registry
 * synchronously with `cleanupSome` (feature-detected; V8 exposes it behind a flag that we set for that context only).
 * Elsewhere (browsers) blocks come back whenever the page yields after a major GC. Freed blocks keep their pages, so
 * reuse is warm: a steady training loop settles at a flat heap.
 *
 * A block freed early (`release`, when the engine knows a gradient is dead) still has its handle's callback to come.
 * Unregistering would need an unregister token per registration, which V8 keeps in a hash table that every major GC
 * rebuilds: it tripled the cost of an allocation (1.5 µs against 0.5, GC included). Instead `early` counts, per block,
 * the callbacks still owed by released handles, and each of those is skipped once. A skipped callback may belong to
 * the block's later owner rather than the released handle (callbacks come in any order); then the block is freed
 * when the released handle's own callback comes, and both are dead by then. Blocks never change size class, so the
 * held value (address and class) names the block.
 */

/** A block of the wasm heap, or host memory for a block not (yet) in the heap. @example heap.alloc(4096) */
export class WasmBuf {
  constructor(
    /** Byte address in the heap; -1 while the data lives in `host`. */
    public ptr: number,
    /** Size in bytes that the tensor uses. */
    readonly bytes: number,
    /** The data while it lives outside the heap (results of JS fallbacks). */
    public host: Uint8Array | Float32Array | Float64Array | Int32Array | null,
  ) {}
}

const PAGE = 65536;
const MIN_CLASS_BYTES = 64;

/** Size class of a byte count: four classes per power of two, from 64 bytes. @example sizeClass(4096) // 24 */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS_BYTES) return 0;
  const e = 31 - Math.clz32(bytes - 1); // 2^e < bytes <= 2^(e+1)
  // integer arithmetic (2 ** e is a call to pow): the step is ceil((bytes - 2^e) / 2^(e-2)), in 1..4
  const step =
    e < 30 ? (bytes - (1 << e) + (1 << (e - 2)) - 1) >> (e - 2) : Math.ceil((bytes - 2 ** e) / 2 ** (e - 2));
  return (e - 6) * 4 + step;
}

/** Bytes of a size class (inverse of sizeClass: the largest byte count mapping to it). @example classBytes(24) // 4096 */
export function classBytes(cls: number): number {
  if (cls === 0) return MIN_CLASS_BYTES;
  const e = ((cls - 1) >> 2) + 6;
  const step = ((cls - 1) & 3) + 1;
  return e < 30 ? (1 << e) + step * (1 << (e - 2)) : 2 ** e + step * 2 ** (e - 2);
}

interface GcHooks {
  gc: () => void;
  registry: FinalizationRegistry<number> & { cleanupSome?: (cb?: (held: number) => void) => void };
}

type V8 = typeof import('node:v8');
type VM = typeof import('node:vm');

/** Node: a gc function and a registry with cleanupSome from a private context, when the runtime allows. */
function makeGcHooks(v8: V8, vm: VM, onFree: (held: number) => void): GcHooks | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    v8.setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    const ctx = vm.createContext({});
    v8.setFlagsFromString('--no-expose-gc');
    v8.setFlagsFromString('--no-harmony-weak-refs-with-cleanup-some');
    const gc = vm.runInContext('gc', ctx) as (() => void) | undefined;
    const FR = vm.runInContext('FinalizationRegistry', ctx) as typeof FinalizationRegistry;
    const registry = new FR<number>(onFree) as GcHooks['registry'];
    if (typeof gc !== 'function' || typeof registry.cleanupSome !== 'function') return null;
    return { gc, registry };
  } catch {
    return null;
  }
}

const hooksPromise: { value: GcHooks | null; onFree: ((held: number) => void) | null } = {
  value: null,
  onFree: null,
};
// The registry's callback is bound once; heaps set `onFree` (there is one heap per process in practice).
// Loaded synchronously where Node offers process.getBuiltinModule (a training loop may run right after import and
// never yield), else in the background (no top-level await, so CommonJS loaders can import tsgrad); until then,
// blocks come back only through the ordinary FinalizationRegistry callbacks.
const waitingHeaps: Heap[] = [];
const onFreeAny = (held: number): void => hooksPromise.onFree?.(held);
if (typeof process !== 'undefined' && process.versions?.node !== undefined) {
  const v8 = nodeBuiltin<V8>('node:v8');
  const vm = nodeBuiltin<VM>('node:vm');
  if (v8 && vm) hooksPromise.value = makeGcHooks(v8, vm, onFreeAny);
  else
    void Promise.all([importNode<V8>('node:v8'), importNode<VM>('node:vm')]).then(
      ([v8a, vma]) => {
        const h = makeGcHooks(v8a, vma, onFreeAny);
        hooksPromise.value = h;
        if (h) for (const heap of waitingHeaps.splice(0)) heap.adoptGcHooks(h);
      },
      () => {},
    );
}

/**
 * The allocator over one WebAssembly.Memory.
 * @example const h = new Heap(); const b = h.alloc(1024); h.f32().fill(1, b.ptr / 4, b.ptr / 4 + 256);
 */
export class Heap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly maximumPages: number;
  private top: number;
  private readonly free: number[][] = [];
  private registry: FinalizationRegistry<number>;
  /** Callbacks still owed by handles released early, by held value (Note [Reclaiming memory]). */
  private readonly early = new Map<number, number>();
  private gcHooks: GcHooks | null;
  private allocatedSinceReclaim = 0;
  /** Bytes handed out after which, when a block would have to be fresh, a synchronous reclaim is tried (Node). */
  reclaimThreshold = 256 * 1024 * 1024;
  /** Bytes in blocks handed out and not yet returned. */
  liveBytes = 0;
  /** Number of synchronous reclaims done (for tests and benchmarks). */
  reclaims = 0;
  private buf: ArrayBuffer | SharedArrayBuffer;
  private vf32: Float32Array;
  private vu8: Uint8Array;

  constructor(opts: { shared: boolean; reserved: number }) {
    this.shared = opts.shared;
    const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
    let max = isNode ? 65536 : 32768;
    let mem: WebAssembly.Memory | null = null;
    while (!mem) {
      try {
        mem = new WebAssembly.Memory({ initial: 64, maximum: max, shared: opts.shared });
      } catch (e) {
        if (max <= 4096) throw new Error(`WebAssembly memory could not be reserved: ${String(e)}`);
        max /= 2;
      }
    }
    this.memory = mem;
    this.maximumPages = max;
    this.top = opts.reserved;
    this.gcHooks = hooksPromise.value;
    if (this.gcHooks) {
      hooksPromise.onFree = (held) => this.onFree(held);
      this.registry = this.gcHooks.registry;
    } else {
      this.registry = new FinalizationRegistry<number>((held) => this.onFree(held));
      waitingHeaps.push(this);
    }
    this.buf = mem.buffer;
    this.vf32 = new Float32Array(this.buf);
    this.vu8 = new Uint8Array(this.buf);
  }

  /** Switches new blocks to the synchronous-reclaim registry once it has loaded (blocks already out keep theirs). */
  adoptGcHooks(h: GcHooks): void {
    this.gcHooks = h;
    hooksPromise.onFree = (held) => this.onFree(held);
    this.registry = h.registry;
  }

  private onFree(held: number): void {
    const owed = this.early.get(held);
    if (owed !== undefined) {
      if (owed === 1) this.early.delete(held);
      else this.early.set(held, owed - 1);
      return;
    }
    const cls = held % 128;
    const ptr = (held - cls) / 128;
    this.liveBytes -= classBytes(cls);
    (this.free[cls] ??= []).push(ptr);
  }

  /**
   * The current buffer. Only `allocRaw` grows the memory, and it refreshes the views when it does: reading
   * `memory.buffer` costs ~80 ns (a shared memory makes a new object), more than a small op's kernel.
   */
  buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.buf;
  }
  private refresh(): void {
    this.buf = this.memory.buffer;
    this.vf32 = new Float32Array(this.buf);
    this.vu8 = new Uint8Array(this.buf);
  }
  /** A Float32Array over the whole heap (valid until the next allocation). */
  f32(): Float32Array {
    this.buffer();
    return this.vf32;
  }
  /** A Uint8Array over the whole heap (valid until the next allocation). */
  u8(): Uint8Array {
    this.buffer();
    return this.vu8;
  }

  /** A raw block of at least `bytes` (64-byte aligned, contents undefined); return it with `freeRaw`. */
  allocRaw(bytes: number): number {
    const cls = sizeClass(Math.max(bytes, 1));
    const size = classBytes(cls);
    this.allocatedSinceReclaim += size;
    const list = this.free[cls];
    if (list && list.length > 0) {
      this.liveBytes += size;
      return list.pop()!;
    }
    // the block would be fresh memory: first try to get garbage back (see Note [Reclaiming memory])
    if (this.allocatedSinceReclaim > this.reclaimThreshold && this.reclaimNow()) return this.allocRaw(bytes);
    const ptr = this.top;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      const grow = Math.max(pages, Math.min(Math.ceil(have / PAGE / 8), 1024)); // grow by >= 1/8, at most 64 MiB extra
      try {
        this.memory.grow(grow);
      } catch {
        if (this.reclaimNow()) return this.allocRaw(bytes);
        try {
          this.memory.grow(pages);
        } catch {
          throw new Error(
            `Out of memory: could not grow the WebAssembly heap to ${Math.ceil(end / 2 ** 20)} MiB. ` +
              'Release references to tensors you no longer need (or use smaller batches).',
          );
        }
      }
      this.refresh();
    }
    this.top = end;
    this.liveBytes += size;
    return ptr;
  }
  /** Returns a raw block from `allocRaw`. */
  freeRaw(ptr: number, bytes: number): void {
    const cls = sizeClass(Math.max(bytes, 1));
    this.liveBytes -= classBytes(cls);
    (this.free[cls] ??= []).push(ptr);
  }

  /** A handle to a block of `bytes`, returned to the pool when the handle is garbage; zeroed if `zero`. */
  alloc(bytes: number, zero = true): WasmBuf {
    const ptr = this.allocRaw(bytes);
    if (zero) this.u8().fill(0, ptr, ptr + bytes);
    const b = new WasmBuf(ptr, bytes, null);
    this.registry.register(b, ptr * 128 + sizeClass(Math.max(bytes, 1)));
    return b;
  }
  /** Moves a host-resident handle's data into the heap. */
  pageIn(b: WasmBuf): number {
    if (b.ptr >= 0) return b.ptr;
    const host = b.host!;
    const ptr = this.allocRaw(b.bytes);
    this.u8().set(new Uint8Array(host.buffer, host.byteOffset, b.bytes), ptr);
    b.ptr = ptr;
    b.host = null;
    this.registry.register(b, ptr * 128 + sizeClass(Math.max(b.bytes, 1)));
    return ptr;
  }
  /** Callbacks still owed by handles released early (for tests). */
  get owedCallbacks(): number {
    let n = 0;
    for (const owed of this.early.values()) n += owed;
    return n;
  }
  /** Returns a handle's block now (the caller promises nothing reads it again). */
  release(b: WasmBuf): void {
    if (b.ptr < 0) return;
    const held = b.ptr * 128 + sizeClass(Math.max(b.bytes, 1));
    this.early.set(held, (this.early.get(held) ?? 0) + 1);
    this.freeRaw(b.ptr, b.bytes);
    b.ptr = -1;
    b.host = new Uint8Array(0);
  }

  /** Synchronous reclaim (Node): a major GC, then the registry's pending callbacks. True if anything came back. */
  reclaimNow(): boolean {
    this.allocatedSinceReclaim = 0;
    if (!this.gcHooks) return false;
    const before = this.liveBytes;
    this.gcHooks.gc();
    this.gcHooks.registry.cleanupSome?.((held) => this.onFree(held));
    this.reclaims++;
    return this.liveBytes < before;
  }
  /** Bytes the heap spans (for memory-flatness checks). */
  get heapBytes(): number {
    return this.memory.buffer.byteLength;
  }
}
