/**
 * @file torch.utils.data against PyTorch 1.13 (test/fixtures/data.json from scripts/fixtures/data.py): shuffle
 * order and generator consumption of DataLoader, randomSplit; collation, iterable and async datasets.
 */
import { describe, expect, test } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';
import { fixture } from '../nn/helpers.js';

const { DataLoader, Dataset, IterableDataset, TensorDataset, defaultCollate, randomSplit } = torch.utils.data;

const F = fixture<{
  loaders: {
    name: string;
    n: number;
    batchSize: number;
    dropLast: boolean;
    seed: number;
    useGenerator: boolean;
    shuffle: boolean;
    epochs: number[][][];
    after: number[];
  }[];
  splits: {
    name: string;
    n: number;
    lengths: number[];
    seed: number;
    useGenerator: boolean;
    subsets: number[][];
  }[];
}>('data.json');

describe('DataLoader draws what PyTorch draws', () => {
  test.each(F.loaders.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const ds = new TensorDataset(torch.arange(c.n, { dtype: torch.int32 }));
    let gen: torch.Generator | undefined;
    if (c.useGenerator) gen = new torch.Generator().manualSeed(c.seed);
    else torch.manualSeed(c.seed);
    const loader = new DataLoader(ds, {
      batchSize: c.batchSize,
      shuffle: c.shuffle,
      dropLast: c.dropLast,
      ...(gen ? { generator: gen } : {}),
    });
    expect(loader.length).toBe(c.epochs[0]!.length);
    for (const epoch of c.epochs) {
      const got = [...loader].map((b) => Array.from((b as Tensor[])[0]!.toArray()));
      expect(got).toEqual(epoch);
    }
    const after = torch.rand(3, gen ? { generator: gen } : {});
    expect(Array.from(after.toArray())).toEqual(c.after.map(Math.fround));
  });
});

describe('randomSplit', () => {
  test.each(F.splits.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const data = Array.from({ length: c.n }, (_, i) => i);
    let subsets: torch.utils.data.Subset<number>[];
    if (c.useGenerator) subsets = randomSplit(data, c.lengths, new torch.Generator().manualSeed(c.seed));
    else {
      torch.manualSeed(c.seed);
      subsets = randomSplit(data, c.lengths);
    }
    expect(subsets.map((s) => [...s.indices])).toEqual(c.subsets);
    expect(subsets[0]!.getItem(0)).toBe(c.subsets[0]![0]);
  });
  test('refuses lengths that do not add up', () => {
    expect(() => randomSplit([1, 2, 3], [1, 1])).toThrow(/does not equal the length of the input dataset/);
  });
});

describe('collation and datasets', () => {
  test('defaultCollate stacks tensors and collates numbers, arrays and objects', () => {
    const b = defaultCollate([
      { x: torch.tensor([1, 2]), y: 1, w: 0.5, name: 'a', ok: true },
      { x: torch.tensor([3, 4]), y: 0, w: 1, name: 'b', ok: false },
    ]) as Record<string, unknown>;
    expect((b.x as Tensor).shape).toEqual([2, 2]);
    expect((b.y as Tensor).dtype).toBe(torch.int32);
    expect((b.w as Tensor).dtype).toBe(torch.float32);
    expect(b.name).toEqual(['a', 'b']);
    expect((b.ok as Tensor).dtype).toBe(torch.bool);
    expect(() => defaultCollate([[1, 2], [3]])).toThrow(/equal size/);
  });

  test('a custom map-style Dataset with a collateFn, batchSize null and dropLast', () => {
    class Squares extends Dataset<[number, number]> {
      get length() {
        return 5;
      }
      getItem(i: number): [number, number] {
        return [i, i * i];
      }
    }
    const all = [...new DataLoader(new Squares(), { batchSize: 2 })] as Tensor[][];
    expect(all.map((b) => Array.from(b[1]!.toArray()))).toEqual([[0, 1], [4, 9], [16]]);
    const summed = [
      ...new DataLoader(new Squares(), { batchSize: 2, dropLast: true, collateFn: (items) => items.length }),
    ];
    expect(summed).toEqual([2, 2]);
    expect([...new DataLoader(new Squares(), { batchSize: null })]).toEqual([
      [0, 0],
      [1, 1],
      [2, 4],
      [3, 9],
      [4, 16],
    ]);
  });

  test('TensorDataset batches equal stacked items', () => {
    const x = torch.randn(7, 3);
    const y = torch.arange(7, { dtype: torch.int32 });
    const ds = new TensorDataset(x, y);
    const [xb, yb] = [...new DataLoader(ds, { batchSize: 4 })][1] as Tensor[];
    expect(xb!.equal(x.narrow(0, 4, 3))).toBe(true);
    expect(Array.from(yb!.toArray())).toEqual([4, 5, 6]);
    const viaCollate = [
      ...new DataLoader(ds, { batchSize: 4, collateFn: (items) => defaultCollate(items) }),
    ][1] as Tensor[];
    expect(viaCollate[0]!.equal(xb!)).toBe(true);
    expect(() => new TensorDataset(x, torch.zeros(3))).toThrow(/Size mismatch/);
  });

  test('iterable datasets stream in order; shuffle is refused', () => {
    class Count extends IterableDataset<number> {
      *[Symbol.iterator]() {
        for (let i = 0; i < 5; i++) yield i;
      }
    }
    const batches = [...new DataLoader(new Count(), { batchSize: 2 })] as Tensor[];
    expect(batches.map((b) => Array.from(b.toArray()))).toEqual([[0, 1], [2, 3], [4]]);
    expect(() => new DataLoader(new Count(), { shuffle: true })).toThrow(
      /expected unspecified shuffle option/,
    );
  });

  test('async streams and async items are read with for await', async () => {
    async function* lines() {
      for (const l of ['1,2', '3,4', '5,6']) {
        await new Promise((r) => setTimeout(r, 1));
        yield l.split(',').map(Number);
      }
    }
    const out: number[][][] = [];
    for await (const b of new DataLoader(lines(), { batchSize: 2 }))
      out.push((b as Tensor[]).map((t) => Array.from(t.toArray())));
    expect(out).toEqual([
      [
        [1, 3],
        [2, 4],
      ],
      [[5], [6]],
    ]);

    class Remote extends Dataset<number> {
      get length() {
        return 3;
      }
      async getItem(i: number) {
        return i * 10;
      }
    }
    const got: number[] = [];
    for await (const b of new DataLoader(new Remote(), { batchSize: 2 }))
      got.push(...Array.from((b as Tensor).toArray()));
    expect(got).toEqual([0, 10, 20]);
    expect(() => [...new DataLoader(new Remote(), { batchSize: 2 })]).toThrow(/for await/);
    expect(() => [...new DataLoader(lines())]).toThrow(/for await/);
  });
});
