/**
 * @file Shared helpers of the autograd parity tests: encode what a program observes in the same form as
 * scripts/fixtures/autograd.py does, and compare it with PyTorch's observations (test/fixtures/autograd.json).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Node } from '../../src/index.js';
import * as torch from '../../src/index.js';

type Tensor = torch.Tensor;

/** An observation: what `enc` makes of tensors, errors, nodes, numbers, strings and their nesting. */
export type Obs = null | boolean | number | string | Obs[] | { [k: string]: Obs };

/** A scenario mirror: a program that returns its observations. */
export type Mirror = () => unknown;

/** The recorded PyTorch observations, by scenario name. */
export const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/autograd.json', import.meta.url), 'utf8'),
) as {
  torch: string;
  scenarios: Record<string, Obs>;
};

function num(v: number): number | string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  return v;
}

/** Encodes tensors (shape, dtype, flat data), nulls, numbers, arrays and plain objects, as the Python script. */
export function enc(v: unknown): Obs {
  if (v === null || v === undefined) return null;
  if (v instanceof torch.Tensor) {
    const data = Array.from(v.toArray() as ArrayLike<number>, (x) =>
      v.dtype === torch.bool ? x !== 0 : num(x),
    );
    return { shape: v.shape.slice(), dtype: v.dtype.name, data };
  }
  if (v instanceof torch.DType) return v.name;
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(enc);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, enc(x)]));
  throw new Error(`cannot encode ${typeof v}`);
}

/** A grad_fn as {name, next} down to `depth` levels, naming AccumulateGrad leaves from `leaves`. */
export function node(fn: Node | null, leaves: Record<string, Tensor> = {}, depth = 2): Obs {
  if (fn === null) return null;
  const out: { [k: string]: Obs } = { name: fn.name };
  if (fn.name === 'AccumulateGrad') {
    const v = (fn as unknown as { variable: Tensor }).variable;
    for (const [label, t] of Object.entries(leaves)) if (t === v) out.variable = label;
  }
  if (depth > 0) out.next = fn.nextFunctions.map(([n, nr]) => [node(n, leaves, depth - 1), nr]);
  return out;
}

/** The error a program throws, as {error: message}; a program that does not throw gives {noError: true}. */
export function err(f: () => unknown): Obs {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return { error: (e as Error).message };
  }
  return { noError: true };
}

/** requiresGrad, isLeaf and the gradFn name of a tensor. */
export function flags(t: Tensor): Obs {
  return { requiresGrad: t.requiresGrad, isLeaf: t.isLeaf, gradFn: t.gradFn?.name ?? null };
}

/** A float32 tensor. */
export const f32 = (v: torch.NestedData, requiresGrad = false): Tensor => torch.tensor(v, { requiresGrad });
/** A float64 tensor. */
export const f64 = (v: torch.NestedData, requiresGrad = false): Tensor =>
  torch.tensor(v, { dtype: torch.float64, requiresGrad });

/**
 * Deliberate differences from PyTorch 1.13 in the names of nodes: tsgrad follows PyTorch 2.x, where reshape of a
 * contiguous tensor is a plain view and the vector norm is linalg_vector_norm.
 */
const renamed: Record<string, string> = {
  ReshapeAliasBackward0: 'ViewBackward0',
  NormBackward1: 'LinalgVectorNormBackward0',
};

/** Python spellings in PyTorch's messages, as tsgrad's messages spell them. */
const spelled: [RegExp, string][] = [
  [/allow_unused=True/g, 'allowUnused: true'],
  [/different than None/g, 'different than null'],
  [/retain_graph=True/g, 'retainGraph: true'],
  [/requires_grad=False/g, 'requiresGrad=false'],
  [/requires_grad=True/g, 'requiresGrad=true'],
  [/requires_grad/g, 'requiresGrad'],
];

function phraseOf(p: string): string {
  let s = p;
  for (const [re, r] of spelled) s = s.replace(re, r);
  return s.toLowerCase();
}

/** Checks `actual` (encoded) against PyTorch's `expected`, with a path in failure messages. */
export function compare(actual: Obs, expected: Obs, path = '$'): void {
  if (expected === null) {
    expect(actual, path).toBeNull();
    return;
  }
  if (typeof expected === 'number') {
    expect(typeof actual, `${path}: ${JSON.stringify(actual)} is not a number`).toBe('number');
    const a = actual as number;
    const tol = 1e-5 + 2e-5 * Math.abs(expected);
    expect(Math.abs(a - expected) <= tol, `${path}: ${a} vs PyTorch ${expected}`).toBe(true);
    return;
  }
  if (typeof expected === 'string') {
    // int64 is PyTorch's integer default; tsgrad's integers are int32 (JS has no 64-bit numbers in typed arrays)
    const want = expected === 'int64' ? 'int32' : (renamed[expected] ?? expected);
    expect(actual, path).toBe(want);
    return;
  }
  if (typeof expected === 'boolean') {
    expect(actual, path).toBe(expected);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path}: ${JSON.stringify(actual)} is not an array`).toBe(true);
    const a = actual as Obs[];
    expect(a.length, `${path}.length`).toBe(expected.length);
    expected.forEach((e, i) => {
      compare(a[i] ?? null, e, `${path}[${i}]`);
    });
    return;
  }
  expect(
    actual !== null && typeof actual === 'object' && !Array.isArray(actual),
    `${path}: ${JSON.stringify(actual)}`,
  ).toBe(true);
  const a = actual as { [k: string]: Obs };
  const keys = Object.keys(expected);
  if (keys.length === 1 && keys[0] === 'error' && typeof expected.error === 'string') {
    expect(
      a.error,
      `${path}: expected an error containing "${expected.error}", got ${JSON.stringify(a)}`,
    ).toBeTypeOf('string');
    expect((a.error as string).toLowerCase(), path).toContain(phraseOf(expected.error as string));
    return;
  }
  expect(Object.keys(a).sort(), `${path} keys`).toEqual(keys.sort());
  for (const k of keys) compare(a[k] ?? null, expected[k] ?? null, `${path}.${k}`);
}

/**
 * Replaces parts of PyTorch's observation where tsgrad deliberately differs (each override says why where it is
 * used): `path` is a dotted path into the observation.
 */
export function override(expected: Obs, changes: Record<string, Obs>): Obs {
  const copy = JSON.parse(JSON.stringify(expected)) as Obs;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    let cur = copy as { [k: string]: Obs };
    for (const k of keys.slice(0, -1)) cur = cur[k] as { [k: string]: Obs };
    cur[keys[keys.length - 1]!] = value;
  }
  return copy;
}

/** Reads a tensor's values as a plain array. */
export const vals = (t: Tensor | null): number[] =>
  t === null ? [] : Array.from(t.toArray() as ArrayLike<number>);
