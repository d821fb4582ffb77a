/**
 * @file torch.save / torch.load in the safetensors format (8-byte little-endian header size, a JSON header of
 * dtype/shape/data_offsets, raw little-endian data), so state dicts move to and from PyTorch and Hugging Face tools.
 * Works on files in Node and on bytes (ArrayBuffer, typed arrays, Blob) everywhere; malformed input is refused.
 */
import { getBackend } from '../backend/devices.js';
import { bool, type DType, float32, float64, int32, type TypedArray } from '../core/dtype.js';
import { makeTensor, Storage } from '../graph/tensor-impl.js';
import { Tensor } from '../tensor/tensor.js';
import { check, checkType } from '../util/assert.js';

/** Names to tensors, e.g. `model.stateDict()` (a Map works too). @example const sd: TensorDict = { w: torch.zeros(2) }; */
export type TensorDict = Record<string, Tensor> | Map<string, Tensor>;

/** Options of save: free-form string metadata stored in the header (`__metadata__`). @example { metadata: { format: 'pt' } } */
export interface SaveOptions {
  metadata?: Record<string, string>;
}

/** What a file holds, with its header metadata. @example const { tensors, metadata } = deserialize(bytes); */
export interface Deserialized {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

const MAX_HEADER = 100_000_000;

/** Bytes per element of every safetensors dtype; the ones tsgrad stores natively map to a DType. */
const DTYPES: Record<string, { size: number; dtype: DType }> = {
  F64: { size: 8, dtype: float64 },
  F32: { size: 4, dtype: float32 },
  F16: { size: 2, dtype: float32 },
  BF16: { size: 2, dtype: float32 },
  I64: { size: 8, dtype: int32 },
  U64: { size: 8, dtype: int32 },
  I32: { size: 4, dtype: int32 },
  U32: { size: 4, dtype: int32 },
  I16: { size: 2, dtype: int32 },
  U16: { size: 2, dtype: int32 },
  I8: { size: 1, dtype: int32 },
  U8: { size: 1, dtype: int32 },
  BOOL: { size: 1, dtype: bool },
};

const NAMES = new Map<DType, string>([
  [float64, 'F64'],
  [float32, 'F32'],
  [int32, 'I32'],
  [bool, 'BOOL'],
]);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------------------------
// bytes

function entriesOf(obj: unknown): [string, Tensor][] {
  checkType(
    obj !== null &&
      typeof obj === 'object' &&
      typeof (obj as { stateDict?: unknown }).stateDict !== 'function',
    () =>
      typeof (obj as { stateDict?: unknown })?.stateDict === 'function'
        ? 'torch.save stores state dicts in the safetensors format, not modules: save model.stateDict() and load it with model.loadStateDict(await torch.load(path))'
        : `torch.save expects an object of named tensors (e.g. model.stateDict()), got ${obj === null ? 'null' : typeof obj}`,
  );
  const entries =
    obj instanceof Map ? [...(obj as Map<string, unknown>)] : Object.entries(obj as Record<string, unknown>);
  for (const [k, v] of entries)
    checkType(
      v instanceof Tensor,
      () =>
        `torch.save: the safetensors format stores only tensors, but '${k}' holds ${v === null ? 'null' : typeof v}. ` +
        'Keep plain values out of the dict (or put strings in { metadata }).',
    );
  return entries as [string, Tensor][];
}

/**
 * The safetensors bytes of named tensors (float32, float64, int32 and bool), with optional string metadata.
 * @example const bytes = serialize(model.stateDict(), { format: 'pt' });
 */
export function serialize(obj: TensorDict, metadata?: Record<string, string>): Uint8Array<ArrayBuffer> {
  const entries = entriesOf(obj);
  // largest elements first, then by name (as the safetensors library orders them, keeping data aligned)
  entries.sort(([a, x], [b, y]) => y.dtype.itemsize - x.dtype.itemsize || (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata))
      checkType(typeof v === 'string', () => `metadata values must be strings, '${k}' is ${typeof v}`);
    header.__metadata__ = metadata;
  }
  check(!entries.some(([k]) => k === '__metadata__'), "'__metadata__' is reserved and cannot name a tensor");
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const code = NAMES.get(t.dtype);
    check(code !== undefined, () => `torch.save: dtype ${t.dtype} of '${name}' has no safetensors code`);
    const data = toBytes(t.toArray());
    header[name] = { dtype: code, shape: t.shape, data_offsets: [offset, offset + data.length] };
    chunks.push(data);
    offset += data.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

function toBytes(a: TypedArray): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
  if (!LITTLE_ENDIAN && a.BYTES_PER_ELEMENT > 1) swapBytes(bytes, a.BYTES_PER_ELEMENT);
  return bytes;
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

const fail = (msg: string): never => {
  throw new Error(`safetensors: ${msg}`);
};

/**
 * Parses safetensors bytes, validating the header against the buffer (nothing is read past its end).
 * @example const { tensors, metadata } = deserialize(new Uint8Array(await file.arrayBuffer()));
 */
export function deserialize(src: ArrayBuffer | ArrayBufferView): Deserialized {
  const bytes =
    src instanceof ArrayBuffer
      ? new Uint8Array(src)
      : new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  if (bytes.length < 8)
    fail(
      `the data is ${bytes.length} bytes long, too short for the 8-byte header size: not a safetensors file, or truncated`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER)
    fail(`the header size (${hi * 2 ** 32 + lo} bytes) is too large: not a safetensors file`);
  if (8 + lo > bytes.length)
    fail(`the header claims ${lo} bytes but only ${bytes.length - 8} follow: the file is truncated`);
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + lo));
    if (!text.startsWith('{')) throw new Error('the header does not start with "{"');
    header = JSON.parse(text);
  } catch (e) {
    fail(`the header is not valid JSON (${(e as Error).message}): not a safetensors file, or corrupted`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    fail('the header must be a JSON object');
  const data = bytes.subarray(8 + lo);
  const entries: { name: string; code: string; shape: number[]; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Object.values(info).some((v) => typeof v !== 'string'))
        fail('__metadata__ must be an object of strings');
      metadata = { ...(info as Record<string, string>) };
      continue;
    }
    const i = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (i === null || typeof i !== 'object') fail(`the entry for '${name}' is not an object`);
    const code = i.dtype;
    if (typeof code !== 'string' || !(code in DTYPES))
      fail(
        `'${name}' has dtype ${JSON.stringify(code)}, which tsgrad cannot read (supported: ${Object.keys(DTYPES).join(', ')})`,
      );
    const shape = i.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0))
      fail(`'${name}' has an invalid shape ${JSON.stringify(shape)}`);
    const off = i.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((s) => Number.isSafeInteger(s) && s >= 0) ||
      off[0] > off[1]
    )
      fail(`'${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    const [begin, end] = off as [number, number];
    const n = (shape as number[]).reduce((a, b) => a * b, 1);
    if (n * DTYPES[code as string]!.size !== end - begin)
      fail(
        `'${name}' has shape ${JSON.stringify(shape)} of ${code} (${n * DTYPES[code as string]!.size} bytes) but data_offsets span ${end - begin} bytes`,
      );
    if (end > data.length)
      fail(
        `'${name}' ends at byte ${end} of the data but the file has only ${data.length}: the file is truncated`,
      );
    entries.push({ name, code: code as string, shape: shape as number[], begin, end });
  }
  // the data of the tensors must tile the data section exactly, in offset order
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of entries) {
    if (e.begin !== pos)
      fail(`'${e.name}' starts at byte ${e.begin}, expected ${pos}: the tensors overlap or leave gaps`);
    pos = e.end;
  }
  if (pos !== data.length)
    fail(`the tensors cover ${pos} bytes but the data section has ${data.length}: extra or missing bytes`);
  const be = getBackend('cpu');
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    const { dtype } = DTYPES[e.code]!;
    const arr = decode(e.code, data.subarray(e.begin, e.end), e.name);
    tensors[e.name] = makeTensor(
      new Storage(be, be.fromArray(dtype, arr), dtype, arr.length),
      e.shape,
    ) as Tensor;
  }
  return { tensors, metadata };
}

function decode(code: string, raw: Uint8Array, name: string): TypedArray {
  const b = raw.slice(); // aligned copy
  const size = DTYPES[code]!.size;
  if (!LITTLE_ENDIAN && size > 1) swapBytes(b, size);
  const buf = b.buffer;
  switch (code) {
    case 'F64':
      return new Float64Array(buf);
    case 'F32':
      return new Float32Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'BOOL':
      return Uint8Array.from(b, (v) => (v ? 1 : 0));
    case 'F16':
      return Float32Array.from(new Uint16Array(buf), halfToFloat);
    case 'BF16': {
      const hi = new Uint16Array(buf);
      const u = new Uint32Array(hi.length);
      for (let i = 0; i < hi.length; i++) u[i] = hi[i]! << 16;
      return new Float32Array(u.buffer);
    }
    case 'I16':
      return Int32Array.from(new Int16Array(buf));
    case 'U16':
      return Int32Array.from(new Uint16Array(buf));
    case 'I8':
      return Int32Array.from(new Int8Array(buf));
    case 'U8':
      return Int32Array.from(b);
    case 'U32':
      return toInt32(Array.from(new Uint32Array(buf)), name, code);
    case 'I64':
      return toInt32(Array.from(new BigInt64Array(buf), Number), name, code);
    case 'U64':
      return toInt32(Array.from(new BigUint64Array(buf), Number), name, code);
    default:
      return fail(`dtype ${code} of '${name}' is not supported`);
  }
}

function toInt32(vals: number[], name: string, code: string): Int32Array {
  for (const v of vals)
    if (v < -(2 ** 31) || v >= 2 ** 31)
      fail(`'${name}' is ${code} and holds ${v}, which does not fit tsgrad's int32`);
  return Int32Array.from(vals);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

// ---------------------------------------------------------------------------------------------------------------
// files

// A specifier in a variable is one bundlers cannot follow, so a browser bundle never pulls in node:fs.
const nodeImport = <T>(specifier: string): Promise<T> =>
  import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

interface Fs {
  readFile(path: string | URL): Promise<Uint8Array>;
  writeFile(path: string | URL, data: Uint8Array): Promise<void>;
}

/**
 * Saves named tensors (e.g. `model.stateDict()`) as safetensors: to a file in Node (returns a Promise), or, with no
 * path, returns the bytes (for a Blob or a download in the browser).
 * @example await torch.save(model.stateDict(), 'model.safetensors') ; const bytes = torch.save(model.stateDict())
 */
export function save(obj: TensorDict, path: string | URL, opts?: SaveOptions): Promise<void>;
export function save(obj: TensorDict, opts?: SaveOptions): Uint8Array<ArrayBuffer>;
export function save(
  obj: TensorDict,
  path?: string | URL | SaveOptions,
  opts?: SaveOptions,
): Promise<void> | Uint8Array<ArrayBuffer> {
  if (path === undefined || (typeof path === 'object' && !(path instanceof URL)))
    return serialize(obj, (path as SaveOptions | undefined)?.metadata);
  const bytes = serialize(obj, opts?.metadata);
  if (!isNode())
    return Promise.reject(
      new Error(
        'torch.save to a path needs Node; in a browser call torch.save(obj) for the bytes and wrap them in a Blob',
      ),
    );
  return nodeImport<Fs>('node:fs/promises').then((fs) => fs.writeFile(path, bytes));
}

/**
 * Loads named tensors saved in the safetensors format (by tsgrad, PyTorch's `safetensors.torch.save_file`, or
 * Hugging Face): from a file path or URL (a Promise), a Blob (a Promise), or bytes (synchronously).
 * @example model.loadStateDict(await torch.load('model.safetensors')) ; torch.load(bytes)['fc.weight']
 */
export function load(src: ArrayBuffer | ArrayBufferView): Record<string, Tensor>;
export function load(src: string | URL | Blob): Promise<Record<string, Tensor>>;
export function load(
  src: string | URL | Blob | ArrayBuffer | ArrayBufferView,
): Record<string, Tensor> | Promise<Record<string, Tensor>> {
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return deserialize(src).tensors;
  if (typeof Blob !== 'undefined' && src instanceof Blob)
    return src.arrayBuffer().then((b) => deserialize(b).tensors);
  checkType(
    typeof src === 'string' || src instanceof URL,
    () => `torch.load expects a path, a URL, a Blob or bytes, got ${src === null ? 'null' : typeof src}`,
  );
  const url = src instanceof URL ? src : null;
  if (isNode() && (url === null || url.protocol === 'file:'))
    return nodeImport<Fs>('node:fs/promises')
      .then((fs) => fs.readFile(src))
      .then((b) => deserialize(b).tensors);
  return fetch(src)
    .then((r) => {
      check(r.ok, () => `torch.load: fetching ${String(src)} failed with HTTP ${r.status}`);
      return r.arrayBuffer();
    })
    .then((b) => deserialize(b).tensors);
}
