/**
 * @file torch.save / torch.load in the safetensors format: a file written from a real PyTorch state dict
 * (scripts/fixtures/serialization.py) loads into the same architecture and gives PyTorch's outputs; dtypes; round
 * trips through files, bytes and Blobs; malformed and truncated input is refused with a clear error.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';
import { deserialize, serialize } from '../../src/serialization/safetensors.js';
import { expectClose, fixture } from '../nn/helpers.js';

const { nn } = torch;
const fx = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
const S = fixture<{
  input: { shape: number[]; values: number[] };
  output: { shape: number[]; values: number[] };
  keys: string[];
  dtypes: Record<string, { shape: number[]; values: (number | string)[] }>;
}>('serialization.json');

class Net extends nn.Module {
  conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(4);
  fc = new nn.Linear(4 * 2 * 2, 3);
  override forward(x: Tensor): Tensor {
    const h = nn.functional.maxPool2d(this.bn(this.conv(x)).relu(), 2);
    return this.fc(h.flatten(1));
  }
}

describe('PyTorch checkpoints load into tsgrad', () => {
  test('a state dict saved from PyTorch gives the same outputs', async () => {
    const sd = await torch.load(new URL('../fixtures/nn-model.safetensors', import.meta.url));
    expect(Object.keys(sd).sort()).toEqual([...S.keys].sort());
    expect(sd['bn.num_batches_tracked']!.dtype).toBe(torch.int32);
    const net = new Net();
    net.loadStateDict(sd);
    net.eval();
    expect(net.bn.numBatchesTracked!.item()).toBe(3);
    const x = torch.tensor(S.input.values).reshape(S.input.shape);
    expectClose(net(x), { ...S.output, dtype: 'float32' }, 1e-5, 1e-6, 'output');
  });

  test('every safetensors dtype PyTorch writes is read (F16, BF16, I64, U8, BOOL, F64, I32, 0-dim)', () => {
    const sd = torch.load(fx('dtypes.safetensors'));
    for (const [k, v] of Object.entries(S.dtypes)) {
      expect(sd[k]!.shape, k).toEqual(v.shape);
      const want = v.values
        .map((x) =>
          x === 'inf' ? Number.POSITIVE_INFINITY : x === '-inf' ? Number.NEGATIVE_INFINITY : Number(x),
        )
        .map((x) => (sd[k]!.dtype === torch.float32 ? Math.fround(x) : x));
      expect(Array.from(sd[k]!.toArray()), k).toEqual(want);
    }
    expect(sd.i64!.dtype).toBe(torch.int32);
    expect(sd.mask!.dtype).toBe(torch.bool);
    expect(sd.f64!.dtype).toBe(torch.float64);
  });

  test('the header PyTorch-side metadata is kept', () => {
    expect(deserialize(fx('nn-model.safetensors')).metadata).toEqual({ format: 'pt' });
  });
});

describe('round trips', () => {
  test('save to a file and load it back into a fresh model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-st-'));
    const a = new Net();
    a(torch.randn(4, 1, 4, 4)); // update batch-norm statistics
    await torch.save(a.stateDict(), join(dir, 'model.safetensors'));
    const b = new Net();
    b.loadStateDict(await torch.load(join(dir, 'model.safetensors')));
    a.eval();
    b.eval();
    const x = torch.randn(2, 1, 4, 4);
    expect(a(x).equal(b(x))).toBe(true);
  });

  test('bytes and Blobs, with metadata, keeping dtypes and shapes', async () => {
    const sd = {
      w: torch.randn(3, 2),
      d: torch.tensor([1, 2], { dtype: torch.float64 }),
      i: torch.tensor([[1], [-7]], { dtype: torch.int32 }),
      b: torch.tensor([1, 0, 1], { dtype: torch.bool }),
      s: torch.tensor(3),
      t: torch.randn(3, 4).t(),
    };
    const bytes = torch.save(sd, { metadata: { epoch: '3' } });
    expect((8 + new DataView(bytes.buffer).getUint32(0, true)) % 8).toBe(0); // data starts 8-byte aligned
    const back = torch.load(bytes);
    for (const [k, v] of Object.entries(sd)) {
      expect(back[k]!.dtype, k).toBe(v.dtype);
      expect(back[k]!.equal(v), k).toBe(true);
    }
    expect(deserialize(bytes).metadata).toEqual({ epoch: '3' });
    const fromBlob = await torch.load(new Blob([bytes]));
    expect(fromBlob.w!.equal(sd.w)).toBe(true);
    const m = new Map([['x', torch.ones(2)]]);
    expect(torch.load(serialize(m)).x!.sum().item()).toBe(2);
  });
});

describe('malformed input is refused, never read past the end', () => {
  const good = fx('nn-model.safetensors');
  test('clear errors for short, truncated, oversized and corrupt files', () => {
    expect(() => torch.load(new Uint8Array(3))).toThrow(/too short/);
    expect(() => torch.load(good.subarray(0, 100))).toThrow(/truncated/);
    expect(() => torch.load(good.subarray(0, good.length - 1))).toThrow(/truncated|missing bytes/);
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(4, 1, true);
    expect(() => torch.load(huge)).toThrow(/too large/);
    const notJson = good.slice();
    notJson[8] = 0x41;
    expect(() => torch.load(notJson)).toThrow(/not valid JSON/);
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    expect(() => torch.load(extra)).toThrow(/extra or missing bytes/);
  });

  test('headers that lie about shapes, offsets or dtypes', () => {
    const make = (header: object, dataLen: number): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + dataLen);
      new DataView(out.buffer).setUint32(0, json.length, true);
      out.set(json, 8);
      return out;
    };
    expect(() => torch.load(make({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4))).toThrow(
      /span 4 bytes/,
    );
    expect(() => torch.load(make({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 2))).toThrow(
      /truncated/,
    );
    expect(() => torch.load(make({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, 8))).toThrow(
      /cannot read/,
    );
    expect(() => torch.load(make({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4))).toThrow(
      /invalid shape/,
    );
    expect(() =>
      torch.load(
        make(
          {
            a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
            b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] },
          },
          6,
        ),
      ),
    ).toThrow(/overlap or leave gaps/);
    expect(() =>
      torch.load(make({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, 8).fill(0x7f, -8)),
    ).toThrow(/does not fit/);
    expect(() => torch.load(make([1, 2], 0))).toThrow(/not valid JSON|JSON object/);
  });

  test('every truncation and random corruption fails with an Error or loads consistently', () => {
    for (let n = 0; n < good.length; n++)
      expect(() => torch.load(good.subarray(0, n))).toThrow(/safetensors:/);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: good.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        (pos, byte) => {
          const bad = good.slice();
          bad[pos] = byte;
          try {
            const sd = torch.load(bad);
            for (const t of Object.values(sd)) expect(t.numel()).toBeGreaterThanOrEqual(0);
          } catch (e) {
            expect(e).toBeInstanceOf(Error);
            expect((e as Error).message).toMatch(/^safetensors: /);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('save refuses what safetensors cannot hold', () => {
    expect(() => torch.save({ a: 1 } as unknown as Record<string, Tensor>)).toThrow(/stores only tensors/);
    expect(() => torch.save(new Net() as unknown as Record<string, Tensor>)).toThrow(/model.stateDict\(\)/);
  });
});
