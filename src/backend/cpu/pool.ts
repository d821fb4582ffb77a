/**
 * @file Reuse of typed arrays that the backward engine has declared dead (see Note [Owned gradients] in
 * autograd/engine.ts), for the plain TypeScript kernels.
 *
 * Note [Array pool]: a training loop makes the same shapes every step, and a fresh typed array costs a page fault
 * per 4 KiB touched plus garbage-collector work, more than an elementwise op on it. Arrays the engine frees go to
 * per-type, per-length free lists and come back, still in cache, for the next output of that length. The pool is
 * bounded (older arrays beyond the bound are left to the collector) and skips small arrays, which are cheaper to
 * allocate than to look up.
 */
import type { DType, TypedArray, TypedArrayCtor } from '../../core/dtype.js';

/**
 * Free lists of typed arrays by constructor and length.
 * @example const pool = new ArrayPool(); pool.give(new Float32Array(1024)); pool.take(float32, 1024)
 */
export class ArrayPool {
  private readonly lists = new Map<TypedArrayCtor, Map<number, TypedArray[]>>();
  /** Bytes held in the free lists. */
  bytes = 0;

  constructor(
    /** Most bytes held; arrays given beyond it are left to the garbage collector. */
    readonly maxBytes = 64 * 2 ** 20,
    /** Arrays shorter than this are neither kept nor looked up. */
    readonly minLength = 256,
  ) {}

  /** An array of `n` elements of `dtype`: a free one (contents undefined), else a new one. */
  take(dtype: DType, n: number): TypedArray {
    return this.reuse(dtype, n) ?? new dtype.ArrayType(n);
  }

  /** A zero-filled array of `n` elements of `dtype`. */
  zeros(dtype: DType, n: number): TypedArray {
    return this.reuse(dtype, n)?.fill(0) ?? new dtype.ArrayType(n);
  }

  private reuse(dtype: DType, n: number): TypedArray | undefined {
    if (n < this.minLength || this.bytes === 0) return undefined;
    const a = this.lists.get(dtype.ArrayType)?.get(n)?.pop();
    if (a) this.bytes -= a.byteLength;
    return a;
  }

  /** Takes back an array nothing will read again. */
  give(a: TypedArray): void {
    if (a.length < this.minLength || this.bytes + a.byteLength > this.maxBytes) return;
    if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return; // views of other memory stay theirs
    const ctor = a.constructor as TypedArrayCtor;
    let byLength = this.lists.get(ctor);
    if (!byLength) this.lists.set(ctor, (byLength = new Map()));
    let list = byLength.get(a.length);
    if (!list) byLength.set(a.length, (list = []));
    list.push(a);
    this.bytes += a.byteLength;
  }
}
