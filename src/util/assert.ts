/**
 * @file Invariant helpers and the argument checks shared by every floor.
 * Errors are plain `Error`s whose message says what was wrong and how to fix it, as PyTorch's do.
 */

/**
 * Throws an `Error` with `message` unless `cond` holds.
 * @example check(n >= 0, `expected a non-negative size, got ${n}`);
 */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new Error(typeof message === 'string' ? message : message());
}

/**
 * Throws a `TypeError` with `message` unless `cond` holds.
 * @example checkType(typeof x === 'number', 'expected a number');
 */
export function checkType(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new TypeError(typeof message === 'string' ? message : message());
}

/**
 * Formats a shape the way PyTorch prints sizes in messages: `[2, 3]`.
 * @example fmtShape([2, 3]) // '[2, 3]'
 */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * True when `n` is a finite integer (what PyTorch accepts as a size or a dim).
 * @example isInt(3) // true
 */
export function isInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n);
}
