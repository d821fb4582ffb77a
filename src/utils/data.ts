/**
 * @file torch.utils.data: map-style and iterable datasets (sync or async), samplers, DataLoader (batching,
 * shuffling with PyTorch's draws for the same seed, collation) and randomSplit.
 */
import { bool, float32, int32 } from '../core/dtype.js';
import { defaultGenerator, Generator } from '../core/random.js';
import { tensor } from '../tensor/create.js';
import { stack } from '../tensor/functions.js';
import { Tensor } from '../tensor/tensor.js';
import { check, checkType, isInt } from '../util/assert.js';

/**
 * A map-style dataset: `length` items, read by index (`__len__` and `__getitem__`). `getItem` may return a Promise
 * for data that loads asynchronously (then iterate the DataLoader with `for await`).
 * @example class Squares extends Dataset<number> { get length() { return 10; } getItem(i: number) { return i * i; } }
 */
export abstract class Dataset<T> {
  /** Number of items. */
  abstract get length(): number;
  /** The item at `index` (0 ≤ index < length). */
  abstract getItem(index: number): T | Promise<T>;
}

/**
 * A dataset that is a stream: subclasses implement `[Symbol.iterator]` or `[Symbol.asyncIterator]`, and the
 * DataLoader reads the items in order (any iterable or async iterable works as well).
 * @example class Lines extends IterableDataset<string> { async *[Symbol.asyncIterator]() { yield* readLines(path); } }
 */
export abstract class IterableDataset<T> {
  /** The item type, for typing only. */
  declare readonly itemType?: T;
}

/** Anything the DataLoader reads by index: a Dataset, an array, or an object with `length` and `getItem`. @example const ds: MapStyle<number> = [1, 2, 3]; */
export type MapStyle<T> = { readonly length: number; getItem(index: number): T | Promise<T> } | readonly T[];
/** Anything the DataLoader reads as a stream. @example const src: Streaming<number> = (async function* () { yield 1; })(); */
export type Streaming<T> = Iterable<T> | AsyncIterable<T>;

function isMapStyle<T>(d: unknown): d is MapStyle<T> {
  return (
    Array.isArray(d) ||
    (typeof d === 'object' && d !== null && typeof (d as { getItem?: unknown }).getItem === 'function')
  );
}

function getItem<T>(d: MapStyle<T>, i: number): T | Promise<T> {
  return Array.isArray(d)
    ? (d as readonly T[])[i]!
    : (d as { getItem(i: number): T | Promise<T> }).getItem(i);
}

/**
 * Tensors indexed together along their first dim: item `i` is `[t0[i], t1[i], ...]`.
 * @example const ds = new TensorDataset(x, y); const [xi, yi] = ds.getItem(0);
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    super();
    check(tensors.length > 0, 'TensorDataset needs at least one tensor');
    for (const t of tensors) checkType(t instanceof Tensor, 'TensorDataset: every argument must be a Tensor');
    const n = tensors[0]!.shape[0];
    check(
      tensors.every((t) => t.dim() > 0 && t.shape[0] === n),
      () =>
        `Size mismatch between tensors: first dims are ${tensors.map((t) => t.shape[0] ?? 'scalar').join(', ')}`,
    );
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }
  getItem(index: number): Tensor[] {
    return this.tensors.map((t) => t.select(0, index));
  }
}

/**
 * The items of `dataset` at `indices`, in that order.
 * @example const firstTen = new Subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export class Subset<T> extends Dataset<T> {
  constructor(
    readonly dataset: MapStyle<T>,
    readonly indices: readonly number[],
  ) {
    super();
  }
  get length(): number {
    return this.indices.length;
  }
  getItem(index: number): T | Promise<T> {
    check(
      index >= 0 && index < this.indices.length,
      () => `index ${index} is out of range for a Subset of length ${this.indices.length}`,
    );
    return getItem(this.dataset, this.indices[index]!);
  }
}

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths (or fractions summing to 1), drawing
 * the same permutation as PyTorch for the same generator state.
 * @example const [train, test] = randomSplit(ds, [0.8, 0.2], new torch.Generator().manualSeed(42));
 */
export function randomSplit<T>(
  dataset: MapStyle<T>,
  lengths: readonly number[],
  generator: Generator = defaultGenerator,
): Subset<T>[] {
  const n = dataset.length;
  let sizes = [...lengths];
  const total = sizes.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    sizes = lengths.map((frac, i) => {
      check(frac >= 0 && frac <= 1, () => `Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]! += 1;
    sizes.forEach((s, i) => {
      if (s === 0)
        console.warn(
          `UserWarning: Length of split at index ${i} is 0. This might result in an empty dataset.`,
        );
    });
  }
  check(
    sizes.every((s) => isInt(s) && s >= 0) && sizes.reduce((a, b) => a + b, 0) === n,
    () =>
      `Sum of input lengths (${sizes.join(' + ')}) does not equal the length of the input dataset (${n})!`,
  );
  const perm = Array.from(generator.randperm(n));
  let offset = 0;
  return sizes.map((s) => {
    const sub = new Subset(dataset, perm.slice(offset, offset + s));
    offset += s;
    return sub;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// samplers

/**
 * Indices 0..n-1 in order.
 * @example [...new SequentialSampler(3)] // [0, 1, 2]
 */
export class SequentialSampler implements Iterable<number> {
  constructor(readonly n: number) {}
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
  get length(): number {
    return this.n;
  }
}

/**
 * A random permutation of 0..n-1 per pass, drawn as PyTorch's RandomSampler draws it: from `generator`, or from a
 * fresh generator seeded by the default one.
 * @example [...new RandomSampler(5, new torch.Generator().manualSeed(0))]
 */
export class RandomSampler implements Iterable<number> {
  constructor(
    readonly n: number,
    readonly generator: Generator | null = null,
  ) {}
  *[Symbol.iterator](): Iterator<number> {
    const n = this.n;
    let g = this.generator;
    if (g === null) g = new Generator().manualSeed(defaultGenerator.randomInt64());
    // as PyTorch: one permutation per pass, then a permutation cut to num_samples % n (here 0) items
    yield* g.randperm(n);
    yield* Array.from(g.randperm(n)).slice(0, 0);
  }
  get length(): number {
    return this.n;
  }
}

/**
 * Groups the indices of a sampler into lists of `batchSize` (the last may be shorter unless `dropLast`).
 * @example [...new BatchSampler(new SequentialSampler(5), 2, false)] // [[0, 1], [2, 3], [4]]
 */
export class BatchSampler implements Iterable<number[]> {
  constructor(
    readonly sampler: Iterable<number> & { readonly length: number },
    readonly batchSize: number,
    readonly dropLast: boolean,
  ) {
    check(
      isInt(batchSize) && batchSize > 0,
      () => `batch_size should be a positive integer value, but got batch_size=${batchSize}`,
    );
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// collation

/** A collated batch: tensors, arrays or objects of them, mirroring the items. @example const b: Batch = [x, y]; */
export type Batch = Tensor | string[] | Batch[] | { [key: string]: Batch };

/**
 * PyTorch's default_collate: tensors are stacked; numbers become a tensor (int32 when all are integers, else
 * float32); booleans a bool tensor; arrays and objects are collated field by field; strings stay an array.
 * @example defaultCollate([[x0, 1], [x1, 0]]) // [stack([x0, x1]), tensor([1, 0], int32)]
 */
export function defaultCollate(batch: readonly unknown[]): Batch {
  check(batch.length > 0, 'defaultCollate: empty batch');
  const elem = batch[0];
  if (elem instanceof Tensor) return stack(batch as Tensor[], 0);
  if (typeof elem === 'number') {
    const nums = batch as number[];
    return tensor(nums, { dtype: nums.every(Number.isInteger) ? int32 : float32 });
  }
  if (typeof elem === 'boolean') return tensor((batch as boolean[]).map(Number), { dtype: bool });
  if (typeof elem === 'string') return [...(batch as string[])];
  if (Array.isArray(elem)) {
    const n = elem.length;
    check(
      batch.every((b) => Array.isArray(b) && b.length === n),
      'each element in list of batch should be of equal size',
    );
    return Array.from({ length: n }, (_, i) => defaultCollate(batch.map((b) => (b as unknown[])[i])));
  }
  if (typeof elem === 'object' && elem !== null) {
    const out: Record<string, Batch> = {};
    for (const k of Object.keys(elem))
      out[k] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[k]));
    return out;
  }
  throw new TypeError(
    `defaultCollate: batch must contain tensors, numbers, booleans, strings, arrays or objects; found ${elem === null ? 'null' : typeof elem}. Pass a collateFn.`,
  );
}

/** TensorDataset (possibly inside Subsets) batched with one indexSelect per tensor instead of stacking items. */
function fastBatch(d: unknown, indices: readonly number[]): Tensor[] | null {
  if (d instanceof TensorDataset) {
    const idx = tensor(indices as number[], { dtype: int32 });
    return d.tensors.map((t) => t.indexSelect(0, idx));
  }
  if (d instanceof Subset)
    return fastBatch(
      d.dataset,
      indices.map((i) => d.indices[i]!),
    );
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// DataLoader

/** Options of DataLoader. @example { batchSize: 64, shuffle: true, generator: g } */
export interface DataLoaderOptions<T, B> {
  /** Items per batch (1 by default); null yields items one by one, uncollated. */
  batchSize?: number | null;
  /** Reshuffles every epoch (map-style datasets only). */
  shuffle?: boolean;
  /** Indices to read, instead of 0..length-1 (or a shuffle). */
  sampler?: Iterable<number> & { readonly length: number };
  /** Lists of indices to read, one per batch (excludes batchSize, shuffle, sampler and dropLast). */
  batchSampler?: Iterable<number[]> & { readonly length: number };
  /** Drops the last incomplete batch. */
  dropLast?: boolean;
  /** Turns a list of items into a batch (defaultCollate by default). */
  collateFn?: (items: T[]) => B;
  /** The generator that shuffling draws from (the default generator otherwise). */
  generator?: Generator;
}

/**
 * Batches of a dataset, as PyTorch's DataLoader (single process): iterate it once per epoch, with `for ... of`, or
 * with `for await` when items load asynchronously or the dataset is an async stream.
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader<T = unknown, B = Batch> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: MapStyle<T> | Streaming<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly generator: Generator | null;
  readonly collateFn: (items: T[]) => B;
  /** Lists of indices per batch (map-style datasets with batching). */
  readonly batchSampler: (Iterable<number[]> & { readonly length: number }) | null;
  /** Indices (map-style datasets). */
  readonly sampler: (Iterable<number> & { readonly length: number }) | null;
  private readonly defaultCollateUsed: boolean;

  constructor(dataset: MapStyle<T> | Streaming<T>, opts: DataLoaderOptions<T, B> = {}) {
    this.dataset = dataset;
    this.generator = opts.generator ?? null;
    this.defaultCollateUsed = opts.collateFn === undefined;
    this.collateFn = opts.collateFn ?? (defaultCollate as unknown as (items: T[]) => B);
    const mapStyle = isMapStyle<T>(dataset);
    if (opts.batchSampler) {
      check(
        opts.batchSize === undefined && !opts.shuffle && !opts.sampler && !opts.dropLast,
        'batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last',
      );
      check(mapStyle, 'DataLoader with an iterable dataset: expected unspecified batch_sampler option');
      this.batchSize = null;
      this.dropLast = false;
      this.sampler = null;
      this.batchSampler = opts.batchSampler;
      return;
    }
    const bs = opts.batchSize === undefined ? 1 : opts.batchSize;
    check(
      bs === null || (isInt(bs) && bs > 0),
      () => `batch_size should be a positive integer value, but got batch_size=${bs}`,
    );
    this.batchSize = bs;
    this.dropLast = opts.dropLast ?? false;
    if (!mapStyle) {
      checkType(
        typeof dataset === 'object' &&
          dataset !== null &&
          (Symbol.iterator in dataset || Symbol.asyncIterator in dataset),
        'DataLoader: the dataset must be an array, a Dataset (length + getItem), or an iterable / async iterable',
      );
      check(
        !opts.shuffle,
        () =>
          `DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${opts.shuffle}`,
      );
      check(!opts.sampler, 'DataLoader with IterableDataset: expected unspecified sampler option');
      this.sampler = null;
      this.batchSampler = null;
      return;
    }
    check(!(opts.shuffle && opts.sampler), 'sampler option is mutually exclusive with shuffle');
    this.sampler =
      opts.sampler ??
      (opts.shuffle
        ? new RandomSampler(dataset.length, this.generator)
        : new SequentialSampler(dataset.length));
    this.batchSampler = bs === null ? null : new BatchSampler(this.sampler, bs, this.dropLast);
  }

  /** Number of batches per epoch (of items when batchSize is null). @example loader.length */
  get length(): number {
    check(
      this.batchSampler !== null || this.sampler !== null,
      'length of a DataLoader over an iterable dataset is not known',
    );
    return this.batchSampler ? this.batchSampler.length : this.sampler!.length;
  }

  /** Draws the per-epoch seed PyTorch's DataLoader iterator draws (for workers), keeping RNG streams in step. */
  private beginEpoch(): void {
    (this.generator ?? defaultGenerator).randomInt64();
  }

  *[Symbol.iterator](): Iterator<B> {
    const d = this.dataset;
    this.beginEpoch();
    if (!isMapStyle<T>(d)) {
      check(
        Symbol.iterator in (d as object),
        'this dataset is asynchronous: iterate the DataLoader with `for await (const batch of loader)`',
      );
      yield* this.batchStream((d as Iterable<T>)[Symbol.iterator]());
      return;
    }
    if (this.batchSampler === null) {
      for (const i of this.sampler!) yield this.sync(getItem(d, i)) as unknown as B;
      return;
    }
    for (const idx of this.batchSampler) {
      const fast = this.defaultCollateUsed ? fastBatch(d, idx) : null;
      yield fast ? (fast as unknown as B) : this.collateFn(idx.map((i) => this.sync(getItem(d, i))));
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const d = this.dataset;
    if (!isMapStyle<T>(d)) {
      if (Symbol.asyncIterator in (d as object)) {
        this.beginEpoch();
        let batch: T[] = [];
        for await (const item of d as AsyncIterable<T>) {
          if (this.batchSize === null) {
            yield item as unknown as B;
            continue;
          }
          batch.push(item);
          if (batch.length === this.batchSize) {
            yield this.collateFn(batch);
            batch = [];
          }
        }
        if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
        return;
      }
      yield* this[Symbol.iterator]() as unknown as AsyncIterable<B>;
      return;
    }
    this.beginEpoch();
    if (this.batchSampler === null) {
      for (const i of this.sampler!) yield (await getItem(d, i)) as unknown as B;
      return;
    }
    for (const idx of this.batchSampler) {
      const fast = this.defaultCollateUsed ? fastBatch(d, idx) : null;
      yield fast ? (fast as unknown as B) : this.collateFn(await Promise.all(idx.map((i) => getItem(d, i))));
    }
  }

  private *batchStream(it: Iterator<T>): IterableIterator<B> {
    let batch: T[] = [];
    for (let r = it.next(); !r.done; r = it.next()) {
      if (this.batchSize === null) {
        yield r.value as unknown as B;
        continue;
      }
      batch.push(r.value);
      if (batch.length === this.batchSize) {
        yield this.collateFn(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
  }

  private sync(v: T | Promise<T>): T {
    check(
      !(v instanceof Promise),
      'this dataset returns Promises from getItem: iterate the DataLoader with `for await (const batch of loader)`',
    );
    return v as T;
  }
}
