/**
 * @file torch.setNumThreads / torch.getNumThreads: how many threads (the caller plus workers) CPU kernels may use.
 */
import { getBackend } from '../devices.js';

interface Threaded {
  setThreads(n: number): void;
  getThreads(): number;
  threadsReady(): Promise<void>;
}

const threaded = (): Threaded | null => {
  const be = getBackend('cpu') as Partial<Threaded>;
  return typeof be.setThreads === 'function' ? (be as Threaded) : null;
};

/**
 * Sets the number of CPU threads large ops are split across (1 means no worker threads). Workers start in the
 * background; until they run, ops use the threads that are ready.
 * @example torch.setNumThreads(2)
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`setNumThreads: expected a positive integer number of threads, but got ${n}`);
  threaded()?.setThreads(n);
}

/**
 * The number of CPU threads large ops may use.
 * @example torch.getNumThreads() // 2 on a 2-core machine
 */
export function getNumThreads(): number {
  return threaded()?.getThreads() ?? 1;
}

/**
 * Resolves once the worker threads asked for are running (for tests and benchmarks that need all threads at once).
 * @example await threadsReady()
 */
export async function threadsReady(): Promise<void> {
  await threaded()?.threadsReady();
}
