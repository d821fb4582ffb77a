/**
 * @file Node built-ins reached in ways browser bundlers do not try to follow (the specifier is not a literal), so the
 * same modules bundle for the browser and still use worker_threads, v8 or vm in Node: synchronously where the
 * runtime offers `process.getBuiltinModule` (Node 20.16+), else by dynamic import.
 */

/**
 * `import(specifier)`, hidden from bundlers; only call it where Node is known to be the host.
 * @example const os = await importNode<typeof import('node:os')>('node:os');
 */
export function importNode<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}

/**
 * A Node built-in now, synchronously (`process.getBuiltinModule`), or null where the runtime has no such call (then
 * use `importNode`). Loading synchronously matters: a training loop that runs right after `import` never yields to
 * let a dynamic import finish.
 * @example const v8 = nodeBuiltin<typeof import('node:v8')>('node:v8');
 */
export function nodeBuiltin<T>(id: string): T | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule !== 'function') return null;
  try {
    return (proc.getBuiltinModule(id) as T | undefined) ?? null;
  } catch {
    return null;
  }
}
