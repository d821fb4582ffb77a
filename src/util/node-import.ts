/**
 * @file Dynamic import of Node built-ins that browser bundlers do not try to follow (the specifier is not a
 * literal), so the same modules bundle for the browser and still use worker_threads, v8 or vm in Node.
 */

/**
 * `import(specifier)`, hidden from bundlers; only call it where Node is known to be the host.
 * @example const os = await importNode<typeof import('node:os')>('node:os');
 */
export function importNode<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}
