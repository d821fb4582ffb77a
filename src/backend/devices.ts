/**
 * @file The device registry: which backend serves a device name. The CPU backend is always present;
 * other devices register themselves when their module is loaded (lazily, so bundles stay small).
 */
import { check } from '../util/assert.js';
import type { Backend } from './backend.js';
import { cpuBackend } from './cpu/cpu.js';
import { createWasmBackend } from './wasm/wasm.js';

const backends = new Map<string, Backend>([['cpu', cpuBackend]]);
/** The CPU device runs on the WebAssembly backend where the runtime has SIMD, else on the reference kernels. */
let cpuDefault: Backend = (plainTsRequested() ? null : createWasmBackend()) ?? cpuBackend;

/** `TSGRAD_CPU=ts` in the environment keeps the CPU device on the plain TypeScript kernels (for comparisons). */
function plainTsRequested(): boolean {
  return typeof process !== 'undefined' && process.env?.TSGRAD_CPU === 'ts';
}

/**
 * The backend for a device name, with a clear error for unknown or unavailable devices.
 * @example getBackend('cpu').device // 'cpu'
 */
export function getBackend(device: string): Backend {
  if (device === 'cpu') return cpuDefault;
  const b = backends.get(device);
  check(
    b !== undefined,
    () =>
      `Device '${device}' is not available. Known devices: ${[...backends.keys()].map((d) => `'${d}'`).join(', ')}. ` +
      `Use 'cpu', or initialise the device's backend first.`,
  );
  return b;
}

/**
 * Registers (or replaces) the backend for a device; `'cpu'` swaps the implementation behind the CPU device.
 * @example registerBackend(myBackend)
 */
export function registerBackend(backend: Backend): void {
  if (backend.device === 'cpu') cpuDefault = backend;
  else backends.set(backend.device, backend);
}

/**
 * The plain TypeScript CPU backend, the reference every other backend is tested against.
 * @example referenceBackend().device // 'cpu'
 */
export function referenceBackend(): Backend {
  return cpuBackend;
}
