/**
 * @file The WebAssembly CPU backend: float32 kernels in SIMD wasm over a pooled heap, split across worker threads when
 * large. Small tensors stay plain typed arrays computed by the reference kernels, so tiny ops never pay for wasm.
 */
import { bool, type DType, float32, float64, int32, type TypedArray } from '../../core/dtype.js';
import { MT19937, type MtState, setRandomKernels } from '../../core/random.js';
import { coalesceDims, contiguousStrides, numel } from '../../core/shape.js';
import { nodeBuiltin } from '../../util/node-import.js';
import type { Backend, BinaryOp, Buf, ReduceOp, Strided, UnaryOp, Window2d } from '../backend.js';
import { cpuBackend } from '../cpu/cpu.js';
import {
  coreCount,
  type Job,
  nodeThreadsLoaded,
  RESERVED_BYTES,
  ThreadPool,
  threadsSupported,
} from '../threads/pool.js';
import {
  buildKernels,
  COMPARE,
  type Compare,
  type Elem,
  GEMM,
  gemmTile,
  VEC_BINARY,
  VEC_UNARY,
  type VecBinary,
} from './codegen.js';
import { MT_STATE } from './codegen-random.js';
import { simdSupport } from './emitter.js';
import { Heap, WasmBuf } from './heap.js';

/**
 * Tensors with fewer elements than this live in plain typed arrays and use the reference kernels. An op on the heap
 * costs about 2 µs before its kernel runs (handle, finalization registry, launch); the reference kernels pay for a
 * fresh typed array (about 1 ns a byte) and, for exp, tanh and the like, 40 ns an element. Measured on the machine
 * of bench/RESULTS.md: at 100 elements the two are even for add and neg and wasm is 2.5x faster for exp; at 256 wasm
 * wins for every op, at 1024 by 1.1-7x, at 4000 by 3.5-12x (it was 4096 until those per-op costs were cut).
 */
export const SMALL = 256;

const ELEM_OF: Record<string, Elem> = { float32: 'f32', float64: 'f64', int32: 'i32', bool: 'u8' };
const isHost = (b: Buf): b is TypedArray => ArrayBuffer.isView(b);
/** Data in host memory: a typed array, or a handle not (yet) paged into the heap. */
const onHost = (b: Buf): boolean => isHost(b) || (b as WasmBuf).ptr < 0;

/** One operand of a 2-D kernel launch: byte address of its first element, element strides, element size. */
interface Operand {
  readonly addr: number;
  readonly strides: readonly number[];
  readonly size: number;
}

/** A 2-D window of a launch: addresses of each operand, rows x n, and per-operand byte row strides and steps. */
interface Window {
  addrs: number[];
  rows: number;
  n: number;
  row: number[];
  step: number[];
}

/**
 * The arguments of a two-operand kernel that walks both through their own row and element steps (the casts, axpy):
 * (dst, src, rows, n, dRow, dStep, sRow, sStep, last).
 */
const stridedPairArgs = (w: Window, last: number): number[] => [
  w.addrs[0]!,
  w.addrs[1]!,
  w.rows,
  w.n,
  w.row[0]!,
  w.step[0]!,
  w.row[1]!,
  w.step[1]!,
  last,
];

/**
 * Cuts a strided launch into 2-D windows (inner two dims), odometer over the rest, and splits them into up to
 * `parts` groups of about equal work (splitting rows of a window where needed).
 */
function windows(shape: readonly number[], ops: readonly Operand[], parts: number): Window[][] {
  const flat = flatWindow(shape, ops);
  if (flat) return parts <= 1 ? [[flat]] : split([flat], parts);
  const [cs, cst] = coalesceDims(
    shape,
    ops.map((o) => o.strides),
  );
  const nd = cs.length;
  const n = cs[nd - 1]!;
  const rows = nd >= 2 ? cs[nd - 2]! : 1;
  const step = ops.map((o, k) => cst[k]![nd - 1]! * o.size);
  const row = ops.map((o, k) => (nd >= 2 ? cst[k]![nd - 2]! * o.size : 0));
  const outer = cs.slice(0, Math.max(0, nd - 2));
  const all: Window[] = [];
  const idx = new Array<number>(outer.length).fill(0);
  const addrs = ops.map((o) => o.addr);
  for (;;) {
    all.push({ addrs: addrs.slice(), rows, n, row, step });
    let d = outer.length - 1;
    for (; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < ops.length; k++) addrs[k]! += cst[k]![d]! * ops[k]!.size;
      if (idx[d]! < outer[d]!) break;
      for (let k = 0; k < ops.length; k++) addrs[k]! -= cst[k]![d]! * ops[k]!.size * outer[d]!;
      idx[d] = 0;
    }
    if (d < 0) break;
  }
  return parts <= 1 ? [all] : split(all, parts);
}

/**
 * The one window of a launch whose operands are each dense row-major or a broadcast scalar (most launches): a single
 * row of all elements, found without coalescing dims (small ops pay for every allocation). Null otherwise.
 */
function flatWindow(shape: readonly number[], ops: readonly Operand[]): Window | null {
  const k = ops.length;
  const addrs = new Array<number>(k);
  const row = new Array<number>(k);
  const step = new Array<number>(k);
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d]!;
  for (let i = 0; i < k; i++) {
    const o = ops[i]!;
    let expected = 1;
    let dense = true;
    let scalar = true;
    for (let d = shape.length - 1; d >= 0; d--) {
      const size = shape[d]!;
      if (size === 1) continue;
      const st = o.strides[d]!;
      dense &&= st === expected;
      scalar &&= st === 0;
      expected *= size;
    }
    if (!dense && !scalar) return null;
    addrs[i] = o.addr;
    row[i] = 0;
    step[i] = dense ? o.size : 0;
  }
  return { addrs, rows: 1, n, row, step };
}

/** Splits windows into `parts` groups of about equal work: whole windows, else rows, else columns of one row. */
function split(all: readonly Window[], parts: number): Window[][] {
  const groups: Window[][] = Array.from({ length: parts }, () => []);
  if (all.length >= parts) {
    all.forEach((w, i) => {
      groups[Math.floor((i * parts) / all.length)]!.push(w);
    });
    return groups;
  }
  for (const w of all) {
    if (w.rows >= parts) {
      for (let p = 0; p < parts; p++) {
        const r0 = Math.floor((w.rows * p) / parts);
        const r1 = Math.floor((w.rows * (p + 1)) / parts);
        if (r1 > r0)
          groups[p]!.push({ ...w, addrs: w.addrs.map((a, k) => a + r0 * w.row[k]!), rows: r1 - r0 });
      }
    } else {
      for (let r = 0; r < w.rows; r++)
        for (let p = 0; p < parts; p++) {
          const c0 = Math.floor((w.n * p) / parts / 4) * 4;
          const c1 = p === parts - 1 ? w.n : Math.floor((w.n * (p + 1)) / parts / 4) * 4;
          if (c1 > c0)
            groups[p]!.push({
              ...w,
              addrs: w.addrs.map((a, k) => a + r * w.row[k]! + c0 * w.step[k]!),
              rows: 1,
              n: c1 - c0,
            });
        }
    }
  }
  return groups;
}

type Strides3 = [number, number, number];
/** A batched matrix operand of the SGEMM: byte address and byte strides [batch, row, column]. */
interface Matrix {
  readonly at: number;
  readonly strides: Strides3;
}
/** The same memory read as the transposed matrix. */
const transposeMatrix = (x: Matrix): Matrix => ({
  at: x.at,
  strides: [x.strides[0], x.strides[2], x.strides[1]],
});

/**
 * Note [Starting workers late]: starting a worker blocks the calling thread about 5 ms (Node's Worker constructor),
 * and the new thread's start-up then competes for the cores: more than a short script's whole parallel work (the
 * first 256x256 matmul takes 5 ms on one thread, 10-13 with the worker being started). So the workers start once
 * splittable work has added up to `units` times its threshold (32 units is one 256x256x256 product), a few
 * milliseconds into any training loop; `threadsReady()` starts them at once.
 */
export const WorkerStart = { units: 64 };

/** Where a kernel writes its output, and how to turn that into the result buffer. */
interface Plan {
  readonly out: number;
  readonly finish: () => Buf;
}

/**
 * The backend object. Create it with `createWasmBackend()`; until its module is compiled (browsers compile
 * asynchronously) every op runs on the reference kernels.
 * @example const be = createWasmBackend(); be.matmul(a, b, 1, 64, 64, 64, float32)
 */
export class WasmBackend implements Backend {
  readonly device = 'cpu';
  readonly heap: Heap;
  private fns: ((...args: number[]) => unknown)[] = [];
  private index = new Map<string, number>();
  private module: WebAssembly.Module | null = null;
  private pool: ThreadPool | null = null;
  private threads = 1;
  private scratch: { a: number; b: number; tile: number }[] = [];
  /** Tensors with fewer elements stay typed arrays on the reference kernels (tests lower it to reach the kernels). */
  small = SMALL;
  /** Whether the kernel module is compiled and instantiated. */
  ready = false;
  /**
   * Work from which an op is split across threads: elements (elementwise, reductions) and multiply-adds (matmul).
   * Waking a worker costs about as much as a 64^3 product (2^18 multiply-adds: 10% slower on two threads than on
   * one, best case); at 80^3 two threads win by 10%, at 96^3 by 30%.
   */
  readonly parallelFrom = { elems: 1 << 16, macs: 1 << 19 };
  /** Whether relaxed-SIMD FMA is used. */
  readonly fma: boolean;
  readonly shared: boolean;

  /** `fma`: emit the relaxed-SIMD FMA kernels (default: whether the runtime validates relaxed SIMD now). */
  constructor(opts: { fma?: boolean } = {}) {
    this.shared = threadsSupported();
    this.heap = new Heap({ shared: this.shared, reserved: RESERVED_BYTES });
    this.fma = opts.fma ?? simdSupport().relaxed;
    this.threads = 1;
  }

  /** Kernel module bytes for this heap. */
  moduleBytes(): Uint8Array {
    return buildKernels({ shared: this.shared, maximumPages: this.heap.maximumPages, fma: this.fma });
  }

  /** Instantiates a compiled kernel module (sync). */
  install(module: WebAssembly.Module): void {
    const inst = new WebAssembly.Instance(module, { env: { memory: this.heap.memory } });
    WebAssembly.Module.exports(module).forEach((e, i) => {
      this.fns[i] = inst.exports[e.name] as (...args: number[]) => unknown;
      this.index.set(e.name, i);
    });
    this.module = module;
    this.ready = true;
    setRandomKernels({
      normalBlocksF32: (out, from, blocks, mean, std) => this.normalBlocks(out, from, blocks, mean, std),
      fill24: (state, out, from, to) => this.fill24(state, out, from, to),
    });
    this.setThreads(this.threads, false);
  }

  /** randn's Box-Muller transform of float32 uniforms, in place, by the wasm kernel (bit-identical to core/random.ts). */
  normalBlocks(out: Float32Array, from: number, blocks: number, mean: number, std: number): void {
    const bytes = blocks * 64;
    const ptr = this.heap.allocRaw(bytes);
    const view = new Float32Array(this.heap.buffer() as ArrayBuffer, ptr, blocks * 16);
    view.set(out.subarray(from, from + blocks * 16));
    this.call('normal16_f32', ptr, blocks, mean, std, mean === 0 && std === 1 ? 1 : 0);
    out.set(new Float32Array(this.heap.buffer() as ArrayBuffer, ptr, blocks * 16), from);
    this.heap.freeRaw(ptr, bytes);
  }

  /** rand's uniforms from mt19937 by the wasm kernel, advancing `state` (bit-identical to core/random.ts). */
  fill24(state: MtState, out: Float32Array, from: number, to: number): void {
    const n = to - from;
    const st = this.heap.allocRaw(MT_STATE.bytes);
    const ptr = this.heap.allocRaw(n * 4);
    const buf = this.heap.buffer() as ArrayBuffer;
    new Uint32Array(buf, st, MT19937.N).set(state.mt);
    new Int32Array(buf, st + MT_STATE.left, 2).set([state.left, state.next]);
    this.call('mt_fill24', st, ptr, n);
    state.mt.set(new Uint32Array(buf, st, MT19937.N));
    const counters = new Int32Array(buf, st + MT_STATE.left, 2);
    state.left = counters[0]!;
    state.next = counters[1]!;
    out.set(new Float32Array(buf, ptr, n), from);
    this.heap.freeRaw(ptr, n * 4);
    this.heap.freeRaw(st, MT_STATE.bytes);
  }

  /** True once the user chose a thread count (torch.setNumThreads), which the default then never overrides. */
  private threadsChosen = false;
  /** Sets the thread count (caller included); workers start once large ops add up (Note [Starting workers late]). */
  setThreads(n: number, byUser = true): void {
    if (byUser) this.threadsChosen = true;
    else if (this.threadsChosen) n = this.threads; // a default never overrides the user's choice
    this.threads = Math.max(1, Math.min(Math.floor(n), 16));
    if (!this.ready) return;
    if (this.pool) this.pool.resize(this.shared ? this.threads - 1 : 0);
    while (this.scratch.length < this.threads) {
      const { MC, KC, NC } = GEMM;
      this.scratch.push({
        a: this.heap.allocRaw(MC * KC * 16),
        b: this.heap.allocRaw(KC * NC * 4),
        tile: this.heap.allocRaw(GEMM.MR_FMA * GEMM.NR * 4),
      });
    }
  }
  /** The configured thread count. */
  getThreads(): number {
    return this.threads;
  }
  /** Workers running now (for tests). */
  get readyWorkers(): number {
    return this.pool?.ready ?? 0;
  }
  /** Workers started, ready or not (for tests). */
  get startedWorkers(): number {
    return this.pool?.size ?? 0;
  }
  /** Starts the workers now and resolves when all are running. */
  async threadsReady(): Promise<void> {
    await nodeThreadsLoaded;
    this.liveThreads();
    await this.pool?.whenReady();
  }
  /** Threads usable now (starting the pool on first need; workers still starting count as absent). */
  private liveThreads(): number {
    if (this.threads <= 1 || !this.shared || !this.module) return 1;
    this.pool ??= new ThreadPool(this.heap.memory, this.module, (fn, args) => this.fns[fn]!(...args));
    if (this.pool.size < this.threads - 1) this.pool.resize(this.threads - 1); // a no-op until worker_threads loaded
    return Math.min(this.threads, 1 + this.pool.ready);
  }
  /** Calls an exported kernel on the calling thread. */
  call(name: string, ...args: number[]): unknown {
    return this.fns[this.index.get(name)!]!(...args);
  }
  private run(groups: Job[][]): void {
    if (groups.length === 1 || !this.pool) {
      for (const g of groups) for (const j of g) this.fns[j.fn]!(...j.args);
    } else this.pool.run(groups);
  }

  // --- memory -------------------------------------------------------------------------------------------------

  alloc(dtype: DType, n: number): Buf {
    if (n < this.small || !this.ready) return cpuBackend.alloc(dtype, n);
    return this.heap.alloc(n * dtype.itemsize, true);
  }

  fromArray(dtype: DType, data: TypedArray): Buf {
    const n = data.length;
    if (n < this.small || !this.ready) {
      const out = new dtype.ArrayType(n);
      out.set(data);
      return out;
    }
    const bytes = n * dtype.itemsize;
    const src = data.byteOffset;
    const onHeap = data.buffer === this.heap.buffer();
    const b = this.heap.alloc(bytes, false);
    const u8 = this.heap.u8();
    if (onHeap && data.BYTES_PER_ELEMENT === dtype.itemsize) u8.copyWithin(b.ptr, src, src + bytes);
    else if (data.BYTES_PER_ELEMENT === dtype.itemsize && data.constructor === dtype.ArrayType)
      u8.set(new Uint8Array(data.buffer, data.byteOffset, bytes), b.ptr);
    else new dtype.ArrayType(u8.buffer as ArrayBuffer, b.ptr, n).set(data);
    return b;
  }

  readSync(buf: Buf, dtype: DType): TypedArray {
    if (isHost(buf)) return buf;
    const b = buf as WasmBuf;
    if (b.ptr < 0) return b.host!;
    return new dtype.ArrayType(this.heap.buffer() as ArrayBuffer, b.ptr, b.bytes / dtype.itemsize);
  }

  async read(buf: Buf, dtype: DType): Promise<TypedArray> {
    return this.readSync(buf, dtype).slice();
  }

  /** Returns a buffer's heap block now (the caller promises it is dead). */
  release(buf: Buf): void {
    if (!isHost(buf)) this.heap.release(buf as WasmBuf);
    else cpuBackend.release?.(buf);
  }

  // --- plumbing -----------------------------------------------------------------------------------------------

  /** A strided read over host memory (a view of the heap for heap buffers) for the reference kernels. */
  private hostView(s: Strided): Strided {
    if (isHost(s.buf)) return s;
    const b = s.buf as WasmBuf;
    if (b.ptr < 0) return { ...s, buf: b.host! };
    return {
      ...s,
      buf: new s.dtype.ArrayType(this.heap.buffer() as ArrayBuffer, b.ptr, b.bytes / s.dtype.itemsize),
    };
  }

  /** Wraps a reference-kernel result: small ones stay typed arrays, large ones become pageable handles. */
  private adopt(out: Buf): Buf {
    const a = out as TypedArray;
    if (a.length < this.small || !this.ready) return a;
    return new WasmBuf(-1, a.byteLength, a);
  }

  /** True when every buffer is host memory and the work is small: the reference kernels answer. */
  private smallHost(n: number, a: Buf, b?: Buf, c?: Buf): boolean {
    if (!this.ready) return true;
    if (n >= this.small) return false;
    return onHost(a) && (b === undefined || onHost(b)) && (c === undefined || onHost(c));
  }

  /** Byte address of a strided operand's element 0, staging host data into the heap (freed by `done`). */
  private addr(s: Strided, staged: number[][]): number {
    const size = s.dtype.itemsize;
    let b = s.buf;
    if (isHost(b)) {
      const bytes = b.byteLength;
      const ptr = this.heap.allocRaw(bytes);
      this.heap.u8().set(new Uint8Array(b.buffer, b.byteOffset, bytes), ptr);
      staged.push([ptr, bytes]);
      return ptr + s.offset * size;
    }
    b = b as WasmBuf;
    return this.heap.pageIn(b as WasmBuf) + s.offset * size;
  }
  private unstage(staged: number[][]): void {
    for (const [p, bytes] of staged) this.heap.freeRaw(p!, bytes!);
  }

  /** An output of `n` elements: a heap handle, or a temporary block copied out to a typed array when small. */
  private output(dtype: DType, n: number): Plan {
    const bytes = n * dtype.itemsize;
    if (n >= this.small) {
      const b = this.heap.alloc(bytes, false);
      return { out: b.ptr, finish: () => b };
    }
    const ptr = this.heap.allocRaw(Math.max(bytes, 1));
    return {
      out: ptr,
      finish: () => {
        const a = new dtype.ArrayType(n);
        new Uint8Array(a.buffer).set(this.heap.u8().subarray(ptr, ptr + bytes));
        this.heap.freeRaw(ptr, Math.max(bytes, 1));
        return a;
      },
    };
  }

  /**
   * How many job lists to cut `work` into: 1 below the threshold, else one per live thread (each at least half the
   * threshold). The pool takes more lists than threads too (Note [Work stealing] in threads/pool.ts), but on the
   * 2-core machine of bench/RESULTS.md four per thread measured slower than one, and matmul's packing scratch is
   * per list.
   */
  private parts(work: number, threshold = this.parallelFrom.elems): number {
    if (work < threshold) return 1;
    if (!this.pool) {
      // Note [Starting workers late]: worth starting only once there is work enough to repay them
      this.parallelUnits += work / threshold;
      if (this.parallelUnits < WorkerStart.units) return 1;
    }
    return Math.max(1, Math.min(this.liveThreads(), Math.floor(work / (threshold / 2))));
  }
  /** Work seen that could have been split, in multiples of its threshold, while no worker was started. */
  private parallelUnits = 0;

  /** Launches a 2-D kernel over `shape`: `argsOf(window)` builds its arguments. */
  private launch(
    name: string,
    shape: readonly number[],
    ops: Operand[],
    argsOf: (w: Window) => number[],
  ): void {
    const fn = this.index.get(name)!;
    const groups = windows(shape, ops, this.parts(numel(shape)));
    const only = groups.length === 1 && groups[0]!.length === 1 ? groups[0]![0]! : null;
    // one window on this thread: no job list
    if (only) this.fns[fn]!(...argsOf(only));
    else this.run(groups.map((g) => g.map((w) => ({ fn, args: argsOf(w) }))));
  }

  // --- elementwise --------------------------------------------------------------------------------------------

  unary(op: UnaryOp, x: Strided, shape: readonly number[], dtype: DType): Buf {
    const n = numel(shape);
    if (this.smallHost(n, x.buf)) return this.adopt(cpuBackend.unary(op, this.hostView(x), shape, dtype));
    const vec = x.dtype === float32 && dtype === float32 && (VEC_UNARY as readonly string[]).includes(op);
    const cast = op === 'copy' && ELEM_OF[x.dtype.name] !== undefined && ELEM_OF[dtype.name] !== undefined;
    if (n === 0 || (!vec && !cast)) return this.adopt(cpuBackend.unary(op, this.hostView(x), shape, dtype));
    const staged: number[][] = [];
    const plan = this.output(dtype, n);
    const xa = this.addr(x, staged);
    const ops: Operand[] = [
      { addr: plan.out, strides: contiguousStrides(shape), size: dtype.itemsize },
      { addr: xa, strides: x.strides, size: x.dtype.itemsize },
    ];
    if (vec)
      this.launch(`u_${op}`, shape, ops, (w) => [
        w.addrs[0]!,
        w.addrs[1]!,
        w.rows,
        w.n,
        w.row[1]!,
        w.step[1]!,
      ]);
    else
      this.launch(`cast_${ELEM_OF[x.dtype.name]}_${ELEM_OF[dtype.name]}`, shape, ops, (w) =>
        stridedPairArgs(w, 0),
      );
    this.unstage(staged);
    return plan.finish();
  }

  binary(op: BinaryOp, a: Strided, b: Strided, shape: readonly number[], dtype: DType): Buf {
    const n = numel(shape);
    if (this.smallHost(n, a.buf, b.buf))
      return this.adopt(cpuBackend.binary(op, this.hostView(a), this.hostView(b), shape, dtype));
    const f32in = a.dtype === float32 && b.dtype === float32;
    if (
      op === 'pow' &&
      f32in &&
      dtype === float32 &&
      b.strides.every((s) => s === 0) &&
      !this.smallHost(n, a.buf)
    ) {
      // x^c for a constant c: the common exponents are unary kernels
      const c = this.hostView(b);
      const e = (c.buf as TypedArray)[c.offset]!;
      const as: UnaryOp | null =
        e === 2 ? 'square' : e === 0.5 ? 'sqrt' : e === 1 ? 'copy' : e === -1 ? 'reciprocal' : null;
      if (as) return this.unary(as, a, shape, dtype);
    }
    const vec = f32in && dtype === float32 && (VEC_BINARY as readonly string[]).includes(op);
    const cmp = f32in && dtype === bool && (COMPARE as readonly string[]).includes(op);
    if (n === 0 || (!vec && !cmp))
      return this.adopt(cpuBackend.binary(op, this.hostView(a), this.hostView(b), shape, dtype));
    const staged: number[][] = [];
    const plan = this.output(dtype, n);
    const ops: Operand[] = [
      { addr: plan.out, strides: contiguousStrides(shape), size: dtype.itemsize },
      { addr: this.addr(a, staged), strides: a.strides, size: 4 },
      { addr: this.addr(b, staged), strides: b.strides, size: 4 },
    ];
    const name = vec ? `b_${op as VecBinary}` : `c_${op as Compare}`;
    this.launch(name, shape, ops, (w) => [
      w.addrs[0]!,
      w.addrs[1]!,
      w.addrs[2]!,
      w.rows,
      w.n,
      w.row[1]!,
      w.step[1]!,
      w.row[2]!,
      w.step[2]!,
    ]);
    this.unstage(staged);
    return plan.finish();
  }

  where(c: Strided, a: Strided, b: Strided, shape: readonly number[], dtype: DType): Buf {
    const n = numel(shape);
    const ok = c.dtype === bool && a.dtype === float32 && b.dtype === float32 && dtype === float32;
    if (n === 0 || !ok || this.smallHost(n, c.buf, a.buf, b.buf))
      return this.adopt(cpuBackend.where(this.hostView(c), this.hostView(a), this.hostView(b), shape, dtype));
    const staged: number[][] = [];
    const plan = this.output(dtype, n);
    const ops: Operand[] = [
      { addr: plan.out, strides: contiguousStrides(shape), size: 4 },
      { addr: this.addr(c, staged), strides: c.strides, size: 1 },
      { addr: this.addr(a, staged), strides: a.strides, size: 4 },
      { addr: this.addr(b, staged), strides: b.strides, size: 4 },
    ];
    this.launch('where_f32', shape, ops, (w) => [
      w.addrs[0]!,
      w.addrs[1]!,
      w.addrs[2]!,
      w.addrs[3]!,
      w.rows,
      w.n,
      w.row[1]!,
      w.step[1]!,
      w.row[2]!,
      w.step[2]!,
      w.row[3]!,
      w.step[3]!,
    ]);
    this.unstage(staged);
    return plan.finish();
  }

  copy(dst: Strided, src: Strided, shape: readonly number[], accumulate = false): void {
    const n = numel(shape);
    const de = ELEM_OF[dst.dtype.name];
    const se = ELEM_OF[src.dtype.name];
    const dstHost = isHost(dst.buf) || (dst.buf as WasmBuf).ptr < 0;
    if (
      n === 0 ||
      n < this.small ||
      !this.ready ||
      dstHost ||
      !de ||
      !se ||
      (accumulate && dst.dtype !== src.dtype)
    ) {
      cpuBackend.copy(this.hostView(dst), this.hostView(src), shape, accumulate);
      return;
    }
    const staged: number[][] = [];
    const ops: Operand[] = [
      { addr: this.addr(dst, staged), strides: dst.strides, size: dst.dtype.itemsize },
      { addr: this.addr(src, staged), strides: src.strides, size: src.dtype.itemsize },
    ];
    this.launch(`cast_${se}_${de}`, shape, ops, (w) => stridedPairArgs(w, accumulate ? 1 : 0));
    this.unstage(staged);
  }

  fill(dst: Strided, shape: readonly number[], value: number): void {
    const n = numel(shape);
    const de = ELEM_OF[dst.dtype.name];
    const dstHost = isHost(dst.buf) || (dst.buf as WasmBuf).ptr < 0;
    if (n < this.small || !this.ready || dstHost || !de) {
      cpuBackend.fill(this.hostView(dst), shape, value);
      return;
    }
    const staged: number[][] = [];
    const ops: Operand[] = [{ addr: this.addr(dst, staged), strides: dst.strides, size: dst.dtype.itemsize }];
    this.launch(`fill_${de}`, shape, ops, (w) => [w.addrs[0]!, w.rows, w.n, w.row[0]!, w.step[0]!, value]);
  }

  axpy(dst: Strided, x: Strided, alpha: number, shape: readonly number[]): void {
    const n = numel(shape);
    const t = dst.dtype === float32 ? 'f32' : dst.dtype === float64 ? 'f64' : null;
    const dstHost = isHost(dst.buf) || (dst.buf as WasmBuf).ptr < 0;
    if (n < this.small || !this.ready || dstHost || !t || x.dtype !== dst.dtype) {
      cpuBackend.axpy(this.hostView(dst), this.hostView(x), alpha, shape);
      return;
    }
    const staged: number[][] = [];
    const size = dst.dtype.itemsize;
    const ops: Operand[] = [
      { addr: this.addr(dst, staged), strides: dst.strides, size },
      { addr: this.addr(x, staged), strides: x.strides, size },
    ];
    this.launch(`axpy_${t}`, shape, ops, (w) => stridedPairArgs(w, alpha));
    this.unstage(staged);
  }

  // --- reductions ---------------------------------------------------------------------------------------------

  reduce(op: ReduceOp, x: Strided, shape: readonly number[], axes: readonly number[], dtype: DType): Buf {
    const n = numel(shape);
    const fast =
      (op === 'sum' || op === 'max' || op === 'min') && x.dtype === float32 && dtype === float32 && n > 0;
    const pattern = fast && !this.smallHost(n, x.buf) ? reducePattern(shape, x.strides, axes) : null;
    if (!pattern && fast && !this.smallHost(n, x.buf)) {
      const staged = this.reduceInTwo(op, x, shape, axes);
      if (staged) return staged;
    }
    if (!pattern) return this.adopt(cpuBackend.reduce(op, this.hostView(x), shape, axes, dtype));
    const outN = numel(shape.filter((_, d) => !axes.includes(d)));
    const staged: number[][] = [];
    const plan = this.output(dtype, outN);
    const xa = this.addr(x, staged);
    const jobs: Job[][] = [];
    const parts = this.parts(n);
    if (pattern.kind === 'rows') {
      const fn = this.index.get(`rrows_${op}`)!;
      const { outer, r, rowStride } = pattern;
      const p = Math.min(parts, outer);
      for (let t = 0; t < p; t++) {
        const o0 = Math.floor((outer * t) / p);
        const o1 = Math.floor((outer * (t + 1)) / p);
        jobs.push([{ fn, args: [plan.out + o0 * 4, xa + o0 * rowStride * 4, o1 - o0, r, rowStride * 4] }]);
      }
    } else {
      const fn = this.index.get(`rcols_${op}`)!;
      const { outer, r, inner, outerStride, rStride } = pattern;
      const p = Math.min(parts, outer > 1 ? outer : Math.max(1, Math.floor(inner / 16)));
      for (let t = 0; t < p; t++) {
        if (outer > 1) {
          const o0 = Math.floor((outer * t) / p);
          const o1 = Math.floor((outer * (t + 1)) / p);
          jobs.push([
            {
              fn,
              args: [
                plan.out + o0 * inner * 4,
                xa + o0 * outerStride * 4,
                o1 - o0,
                r,
                inner,
                outerStride * 4,
                rStride * 4,
              ],
            },
          ]);
        } else {
          const c0 = t === 0 ? 0 : Math.floor((inner * t) / p / 4) * 4;
          const c1 = t === p - 1 ? inner : Math.floor((inner * (t + 1)) / p / 4) * 4;
          jobs.push([
            { fn, args: [plan.out + c0 * 4, xa + c0 * 4, 1, r, c1 - c0, outerStride * 4, rStride * 4] },
          ]);
        }
      }
    }
    this.run(jobs);
    this.unstage(staged);
    return plan.finish();
  }

  /**
   * A layout without a SIMD pattern (a conv bias gradient: [N, C, h·w] summed over N and h·w) as two that have one:
   * the trailing reduced dims first (a float32 partial), then the rest. Null when there are no trailing reduced dims.
   */
  private reduceInTwo(
    op: ReduceOp,
    x: Strided,
    shape: readonly number[],
    axes: readonly number[],
  ): Buf | null {
    let d = shape.length;
    while (d > 0 && (axes.includes(d - 1) || shape[d - 1] === 1)) d--;
    const inner = axes.filter((a) => a >= d);
    const outer = axes.filter((a) => a < d);
    if (inner.length === 0 || outer.length === 0) return null;
    const partial = this.reduce(op, x, shape, inner, float32);
    const rest = shape.filter((_, i) => !inner.includes(i));
    const restAxes = outer.map((a) => a - inner.filter((i) => i < a).length);
    const out = this.reduce(
      op,
      { buf: partial, dtype: float32, strides: contiguousStrides(rest), offset: 0 },
      rest,
      restAxes,
      float32,
    );
    this.release(partial);
    return out;
  }

  /** Rows along the last dim of a dense float32 tensor run the fused kernel, split by rows; the rest the reference. */
  softmax(x: Strided, shape: readonly number[], dim: number, log: boolean, dtype: DType): Buf {
    const total = numel(shape);
    const dense = contiguousStrides(shape);
    const rowsDense = dim === shape.length - 1 && shape.every((s, d) => s === 1 || x.strides[d] === dense[d]);
    if (total === 0 || !rowsDense || x.dtype !== float32 || dtype !== float32 || this.smallHost(total, x.buf))
      return this.adopt(cpuBackend.softmax(this.hostView(x), shape, dim, log, dtype));
    const n = shape[dim]!;
    const rows = total / n;
    const staged: number[][] = [];
    const plan = this.output(dtype, total);
    const xa = this.addr(x, staged);
    const fn = this.index.get('softmax_f32')!;
    const parts = Math.min(rows, this.parts(total));
    const jobs: Job[][] = [];
    for (let t = 0; t < parts; t++) {
      const r0 = Math.floor((rows * t) / parts);
      const r1 = Math.floor((rows * (t + 1)) / parts);
      jobs.push([{ fn, args: [plan.out + r0 * n * 4, xa + r0 * n * 4, r1 - r0, n, log ? 1 : 0] }]);
    }
    this.run(jobs);
    this.unstage(staged);
    return plan.finish();
  }

  // --- matmul -------------------------------------------------------------------------------------------------

  matmul(
    a: Strided,
    b: Strided,
    batch: number,
    m: number,
    k: number,
    n: number,
    dtype: DType,
    sumBatch = false,
  ): Buf {
    const ok = a.dtype === float32 && b.dtype === float32 && dtype === float32;
    const macs = batch * m * n * k;
    const total = sumBatch ? m * n : batch * m * n;
    if (!ok || batch * m * n === 0 || (macs < 4096 && this.smallHost(total, a.buf, b.buf)) || !this.ready)
      return this.adopt(
        cpuBackend.matmul(this.hostView(a), this.hostView(b), batch, m, k, n, dtype, sumBatch),
      );
    const staged: number[][] = [];
    if (k === 0) return this.alloc(float32, total);
    const plan = this.output(float32, total);
    const A: Matrix = { at: this.addr(a, staged), strides: a.strides.map((s) => s * 4) as Strides3 };
    const B: Matrix = { at: this.addr(b, staged), strides: b.strides.map((s) => s * 4) as Strides3 };
    if (A.strides[2] === 4 && B.strides[1] === 4 && (sumBatch || batch === 1) && m * n <= 2048 && k >= 256) {
      // Note [Dot products] (codegen.ts): rows of A and columns of B both run along K, few outputs, a long K
      this.dots(A, B, plan.out, batch, m, k, n);
    } else if (this.transposedIsCheaper(m, k, n)) {
      // Note [Skinny products]: Cᵀ = Bᵀ·Aᵀ into a scratch block, then transposed into C
      const tmp = this.heap.allocRaw(total * 4);
      this.gemm(transposeMatrix(B), transposeMatrix(A), tmp, batch, n, k, m, sumBatch);
      this.launch(
        'cast_f32_f32',
        [total / (m * n), m, n],
        [
          { addr: plan.out, strides: [m * n, n, 1], size: 4 },
          { addr: tmp, strides: [n * m, 1, m], size: 4 },
        ],
        (w) => stridedPairArgs(w, 0),
      );
      this.heap.freeRaw(tmp, total * 4);
    } else this.gemm(A, B, plan.out, batch, m, k, n, sumBatch);
    this.unstage(staged);
    return plan.finish();
  }

  /** C[m, n] = Σ_batch A·B by the unpacked dot-product kernel (Note [Dot products]), its rows split across threads. */
  private dots(A: Matrix, B: Matrix, c: number, batch: number, m: number, k: number, n: number): void {
    const fn = this.index.get('gemm_dot')!;
    const parts = Math.min(Math.ceil(m / 3), this.parts(batch * m * n * k, this.parallelFrom.macs));
    const jobs: Job[][] = [];
    for (let t = 0; t < parts; t++) {
      const r0 = Math.floor((m * t) / parts / 3) * 3;
      const r1 = t === parts - 1 ? m : Math.floor((m * (t + 1)) / parts / 3) * 3;
      if (r1 > r0)
        jobs.push([
          {
            fn,
            args: [
              c + r0 * n * 4,
              A.at + r0 * A.strides[1],
              B.at,
              r1 - r0,
              n,
              k,
              A.strides[1],
              B.strides[2],
              n * 4,
              batch,
              A.strides[0],
              B.strides[0],
              0,
            ],
          },
        ]);
    }
    this.run(jobs);
  }

  /**
   * Note [Skinny products]: the register tile is MR x 8, so a product with few columns (a linear layer's 10 classes,
   * a 3x3 convolution's 9 weights per channel) computes mostly padding, and its edge tiles go through a scalar
   * copy. Computing Cᵀ = Bᵀ·Aᵀ instead (the same packed kernels, operands swapped by strides) pads the other way; it
   * is worth a transposing copy of C when it saves a seventh of the padded work and C is small.
   */
  private transposedIsCheaper(m: number, k: number, n: number): boolean {
    const { mr } = gemmTile(this.fma);
    const padded = (rows: number, cols: number): number =>
      Math.ceil(rows / mr) * mr * Math.ceil(cols / 8) * 8;
    return k >= 16 && m * n <= 1 << 16 && padded(n, m) * 1.15 < padded(m, n);
  }

  /**
   * C[batch, m, n] (contiguous at `c`) = A[batch, m, k] · B[batch, k, n] with the packed SGEMM, split across threads;
   * with `sumBatch` C is [m, n] and the products are summed (a zero C batch stride tells the kernel to accumulate).
   */
  private gemm(
    A: Matrix,
    B: Matrix,
    c: number,
    batch: number,
    m: number,
    k: number,
    n: number,
    sumBatch: boolean,
  ): void {
    const [ab, am, ak] = A.strides;
    const [bb, bk, bn] = B.strides;
    const fn = this.index.get('gemm')!;
    const parts = this.parts(batch * m * n * k, this.parallelFrom.macs); // list t packs into scratch t
    const job = (
      t: number,
      aAt: number,
      bAt: number,
      cAt: number,
      mm: number,
      nn: number,
      bt: number,
    ): Job => {
      const s = this.scratch[t]!;
      return {
        fn,
        args: [
          aAt,
          am,
          ak,
          bAt,
          bk,
          bn,
          cAt,
          mm,
          nn,
          k,
          n * 4,
          bt,
          ab,
          bb,
          sumBatch ? 0 : m * n * 4,
          s.a,
          s.b,
          s.tile,
        ],
      };
    };
    const jobs: Job[][] = [];
    if (parts <= 1) jobs.push([job(0, A.at, B.at, c, m, n, batch)]);
    else if (batch >= parts && !sumBatch) {
      for (let t = 0; t < parts; t++) {
        const b0 = Math.floor((batch * t) / parts);
        const b1 = Math.floor((batch * (t + 1)) / parts);
        jobs.push([job(t, A.at + b0 * ab, B.at + b0 * bb, c + b0 * m * n * 4, m, n, b1 - b0)]);
      }
    } else if (n > m) {
      // Each thread packs the whole of the operand it does not split, so split the longer side. Columns in
      // multiples of the register tile; square products split rows, which keeps each thread's C rows its own
      // (n = 1024, 2 threads, FMA: 63 -> 67 GFLOP/s).
      for (let t = 0; t < parts; t++) {
        const c0 = Math.floor((n * t) / parts / 8) * 8;
        const c1 = t === parts - 1 ? n : Math.floor((n * (t + 1)) / parts / 8) * 8;
        if (c1 > c0) jobs.push([job(t, A.at, B.at + c0 * bn, c + c0 * 4, m, c1 - c0, batch)]);
      }
    } else {
      const { mr } = gemmTile(this.fma);
      for (let t = 0; t < parts; t++) {
        const r0 = Math.floor((m * t) / parts / mr) * mr;
        const r1 = t === parts - 1 ? m : Math.floor((m * (t + 1)) / parts / mr) * mr;
        if (r1 > r0) jobs.push([job(t, A.at + r0 * am, B.at, c + r0 * n * 4, r1 - r0, n, batch)]);
      }
    }
    this.run(jobs);
  }

  // --- sliding windows (kernels in codegen-window.ts): jobs split the N·C planes ------------------------------

  /** Runs `name` over `planes` planes, split across threads when `work` (elements) is large enough. */
  private planeJobs(
    name: string,
    planes: number,
    work: number,
    argsOf: (p0: number, p1: number) => number[],
  ): void {
    const fn = this.index.get(name)!;
    const parts = Math.min(planes, this.parts(work));
    const jobs: Job[][] = [];
    for (let t = 0; t < parts; t++) {
      const p0 = Math.floor((planes * t) / parts);
      const p1 = Math.floor((planes * (t + 1)) / parts);
      if (p1 > p0) jobs.push([{ fn, args: argsOf(p0, p1) }]);
    }
    this.run(jobs);
  }

  im2col(x: Strided, shape: readonly number[], g: Window2d, dtype: DType): Buf {
    const [n, c] = shape as [number, number];
    const total = n * c * g.kh * g.kw * g.oh * g.ow;
    if (
      total === 0 ||
      x.dtype !== float32 ||
      dtype !== float32 ||
      x.strides[3] !== 1 ||
      this.smallHost(total, x.buf)
    )
      return this.adopt(cpuBackend.im2col(this.hostView(x), shape, g, dtype));
    const staged: number[][] = [];
    const plan = this.output(float32, total);
    const xa = this.addr(x, staged);
    const [sN, sC, sH] = x.strides.map((s) => s * 4) as [number, number, number];
    this.planeJobs('im2col_f32', n * c, total, (p0, p1) => [
      plan.out,
      xa,
      p0,
      p1,
      c,
      sN,
      sC,
      sH,
      ...geomArgs(g),
    ]);
    this.unstage(staged);
    return plan.finish();
  }

  col2im(cols: Strided, shape: readonly number[], g: Window2d, dtype: DType): Buf {
    const [n, c] = shape as [number, number];
    const total = n * c * g.kh * g.kw * g.oh * g.ow;
    const ok = cols.dtype === float32 && dtype === float32 && n * c * g.h * g.w > 0;
    if (!ok || this.smallHost(Math.max(total, n * c * g.h * g.w), cols.buf))
      return this.adopt(cpuBackend.col2im(this.hostView(cols), shape, g, dtype));
    const staged: number[][] = [];
    // the kernel reads dense windows: gradients usually are; others get one copy first
    const dense = cols.strides.every((s, d) => s === contiguousStrides(shape)[d] || shape[d] === 1);
    const src = dense
      ? cols
      : {
          buf: this.unary('copy', cols, shape, float32),
          dtype: float32,
          strides: contiguousStrides(shape),
          offset: 0,
        };
    const plan = this.output(float32, n * c * g.h * g.w);
    const sa = this.addr(src, staged);
    this.planeJobs('col2im_f32', n * c, total, (p0, p1) => [plan.out, sa, p0, p1, ...geomArgs(g)]);
    this.unstage(staged);
    if (!dense) this.release(src.buf);
    return plan.finish();
  }

  maxPool2d(x: Strided, shape: readonly number[], g: Window2d): [Buf, Buf] {
    const [n, c] = shape as [number, number];
    const outN = n * c * g.oh * g.ow;
    if (outN === 0 || x.dtype !== float32 || this.smallHost(numel(shape), x.buf)) {
      const [v, i] = cpuBackend.maxPool2d(this.hostView(x), shape, g);
      return [this.adopt(v), this.adopt(i)];
    }
    const staged: number[][] = [];
    const values = this.output(float32, outN);
    const indices = this.output(int32, outN);
    const xa = this.addr(x, staged);
    const [sN, sC, sH, sW] = x.strides.map((s) => s * 4) as [number, number, number, number];
    this.planeJobs('maxpool_f32', n * c, numel(shape), (p0, p1) => [
      values.out,
      indices.out,
      xa,
      p0,
      p1,
      c,
      sN,
      sC,
      sH,
      sW,
      ...geomArgs(g),
    ]);
    this.unstage(staged);
    return [values.finish(), indices.finish()];
  }

  maxPool2dBackward(
    grad: Strided,
    indices: Strided,
    shape: readonly number[],
    g: Window2d,
    dtype: DType,
  ): Buf {
    const [n, c] = shape as [number, number];
    const outN = n * c * g.h * g.w;
    const ok = grad.dtype === float32 && dtype === float32 && indices.dtype === int32 && outN > 0;
    if (!ok || this.smallHost(outN, grad.buf, indices.buf))
      return this.adopt(
        cpuBackend.maxPool2dBackward(this.hostView(grad), this.hostView(indices), shape, g, dtype),
      );
    const staged: number[][] = [];
    const plan = this.output(float32, outN);
    const ga = this.addr(grad, staged);
    const ia = this.addr(indices, staged);
    const gs = grad.strides.map((s) => s * 4);
    const is = indices.strides.map((s) => s * 4);
    this.planeJobs('maxpool_bwd_f32', n * c, outN, (p0, p1) => [
      plan.out,
      ga,
      ia,
      p0,
      p1,
      c,
      ...gs,
      ...is,
      ...geomArgs(g),
    ]);
    this.unstage(staged);
    return plan.finish();
  }

  // --- the long tail: reference kernels over views of the heap -------------------------------------------------

  gather(x: Strided, dim: number, index: Strided, shape: readonly number[], dtype: DType): Buf {
    return this.adopt(cpuBackend.gather(this.hostView(x), dim, this.hostView(index), shape, dtype));
  }
  scatterAdd(
    outShape: readonly number[],
    dim: number,
    index: Strided,
    src: Strided,
    shape: readonly number[],
    dtype: DType,
  ): Buf {
    return this.adopt(
      cpuBackend.scatterAdd(outShape, dim, this.hostView(index), this.hostView(src), shape, dtype),
    );
  }
  sort(x: Strided, shape: readonly number[], dim: number, descending: boolean): [Buf, Buf] {
    const [v, i] = cpuBackend.sort(this.hostView(x), shape, dim, descending);
    return [this.adopt(v), this.adopt(i)];
  }
  cumulative(op: 'sum' | 'prod', x: Strided, shape: readonly number[], dim: number, dtype: DType): Buf {
    return this.adopt(cpuBackend.cumulative(op, this.hostView(x), shape, dim, dtype));
  }
}

/** The geometry arguments of the window kernels, in codegen-window.ts's order. */
function geomArgs(g: Window2d): number[] {
  return [g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow];
}

type ReducePattern =
  | { kind: 'rows'; outer: number; r: number; rowStride: number }
  | { kind: 'cols'; outer: number; r: number; inner: number; outerStride: number; rStride: number };

/**
 * Recognises the layouts with a SIMD reduction kernel: [outer, r] with r contiguous (rows), or [outer, r, inner]
 * with inner contiguous (columns). Other layouts use the reference kernel.
 */
function reducePattern(
  shape: readonly number[],
  strides: readonly number[],
  axes: readonly number[],
): ReducePattern | null {
  // merge adjacent dims with the same role and compatible strides
  const dims: { size: number; stride: number; red: boolean }[] = [];
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const red = axes.includes(d);
    const last = dims[dims.length - 1];
    if (last && last.red === red && last.stride === strides[d]! * size) {
      last.size *= size;
      last.stride = strides[d]!;
    } else dims.push({ size, stride: strides[d]!, red });
  }
  if (dims.length === 0) return null;
  const [d0, d1, d2] = dims;
  if (dims.length === 1 && d0!.red && d0!.stride === 1)
    return { kind: 'rows', outer: 1, r: d0!.size, rowStride: 0 };
  if (dims.length === 2 && !d0!.red && d1!.red && d1!.stride === 1)
    return { kind: 'rows', outer: d0!.size, r: d1!.size, rowStride: d0!.stride };
  if (dims.length === 2 && d0!.red && !d1!.red && d1!.stride === 1)
    return { kind: 'cols', outer: 1, r: d0!.size, inner: d1!.size, outerStride: 0, rStride: d0!.stride };
  if (dims.length === 3 && !d0!.red && d1!.red && !d2!.red && d2!.stride === 1)
    return {
      kind: 'cols',
      outer: d0!.size,
      r: d1!.size,
      inner: d2!.size,
      outerStride: d0!.stride,
      rStride: d1!.stride,
    };
  return null;
}

/**
 * Note [Relaxed SIMD on Node 20]: relaxed-SIMD FMA makes the SGEMM about 1.6x faster, and current browsers and
 * Node 22+ validate it, but Node 20 (V8 11.3, one release before relaxed SIMD shipped) does only behind
 * --experimental-wasm-relaxed-simd. V8 records in a compiled module the features enabled when it was compiled (its
 * later tier-up and its copies in workers keep them), so the kernel module is compiled with that flag set for just
 * that moment, and the flag is cleared again: the process's other wasm modules see no change. `TSGRAD_WASM_FMA=0` in
 * the environment keeps the plain multiply-add kernels (for comparisons).
 */
function withRelaxedSimd<T>(build: (fma: boolean) => T): T {
  const off = typeof process !== 'undefined' && process.env?.TSGRAD_WASM_FMA === '0';
  if (off || simdSupport().relaxed) return build(!off);
  const v8 = nodeBuiltin<typeof import('node:v8')>('node:v8');
  if (!v8) return build(false);
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return build(false);
  }
  try {
    return build(simdSupport().relaxed);
  } finally {
    v8.setFlagsFromString('--no-experimental-wasm-relaxed-simd');
  }
}

/**
 * Makes the wasm backend: in Node the kernel module compiles synchronously (with relaxed SIMD where Note [Relaxed
 * SIMD on Node 20] allows); in browsers it compiles in the background (main-thread sync compiles are size-limited)
 * and the backend serves from the reference kernels until then.
 * @example registerBackend(createWasmBackend())
 */
export function createWasmBackend(): WasmBackend | null {
  if (typeof WebAssembly === 'undefined' || !simdSupport().simd) return null;
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  let be: WasmBackend;
  if (isNode)
    be = withRelaxedSimd((fma) => {
      const b = new WasmBackend({ fma });
      b.install(new WebAssembly.Module(b.moduleBytes() as BufferSource));
      return b;
    });
  else {
    const b = new WasmBackend();
    void WebAssembly.compile(b.moduleBytes() as BufferSource).then(
      (m) => b.install(m),
      () => {},
    );
    be = b;
  }
  be.setThreads(defaultThreads(), false);
  // Node's worker_threads load in the background: once they have, default to one thread per core, unless the
  // user has chosen a count meanwhile
  void nodeThreadsLoaded.then(() => be.setThreads(defaultThreads(), false));
  return be;
}

/** The default thread count: one per core. @example defaultThreads() // 2 on a 2-core machine */
export function defaultThreads(): number {
  return threadsSupported() ? coreCount() : 1;
}
