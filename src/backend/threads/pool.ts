/**
 * @file A pool of worker threads (worker_threads in Node, Web Workers in browsers) sharing the wasm heap.
 * The caller writes each thread's job list into shared memory, wakes the workers with Atomics, runs its own part, then sleeps until all are done.
 *
 * Note [Work stealing]: a worker can wake late, or be paused mid-list (its core busy with the garbage collector or
 * the OS): tens of microseconds to milliseconds, longer than many ops. So an op is cut into more job lists than
 * threads, all in one shared table, and every thread (the caller included) claims lists one at a time with a
 * compare-and-swap until none is left. A slow thread then delays at most the one list it holds. Each list's claim
 * word holds the generation that may take it (0 once taken), so a worker still finishing with an older generation
 * can never take a list of the next one while the caller is writing it.
 */
import { importNode, nodeBuiltin } from '../../util/node-import.js';

/** One kernel call: an export index of the kernel module and its arguments. @example const j: Job = { fn: 3, args: [64, 128] }; */
export interface Job {
  readonly fn: number;
  readonly args: readonly number[];
}

/** Control words (Int32 indices) at the start of the reserved heap region. */
const GEN = 16;
const PENDING = 17;
const STOP_BASE = 32; // one stop flag per worker
const READY_BASE = 64; // one ready flag per worker
/**
 * Note [Spinning]: waking a sleeping thread costs tens of microseconds (more on a busy VM), as much as a whole
 * small op. So a worker polls for the next job a little while before it sleeps, and the caller polls for the
 * workers' end before it sleeps. The pool never has more threads than cores, so a poll takes no core from work.
 */
const SPIN = 20000; // polls, about 20-50 µs
const CLAIM_BASE = 96; // per job list: the generation that may claim it, 0 once claimed (Note [Work stealing])
/** Most job lists one op is cut into. */
export const MAX_LISTS = 64;
/** Byte offset of the job table (a header, then the lists), and the size of one thread's share of it. */
const JOBS_AT = 4096;
const JOB_BYTES = 16384;
/** Most threads the pool runs (caller included). */
export const MAX_THREADS = 16;
/** Bytes of heap the pool reserves at address 0. @example RESERVED_BYTES // 266240 */
export const RESERVED_BYTES = JOBS_AT + MAX_THREADS * JOB_BYTES;
const TABLE_F64 = (MAX_THREADS * JOB_BYTES) / 8;

/**
 * The worker's program, as plain JavaScript (it must run without a TypeScript loader). It instantiates the shared
 * kernel module, then waits on the generation word; per wake-up it runs its job list and decrements PENDING.
 */
const WORKER_SOURCE = `
const start = (d) => {
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  const fns = WebAssembly.Module.exports(d.module).map((e) => inst.exports[e.name]);
  const i32 = new Int32Array(d.memory.buffer, 0, ${JOBS_AT / 4});
  const table = new Float64Array(d.memory.buffer, ${JOBS_AT}, ${TABLE_F64});
  let seen = Atomics.load(i32, ${GEN});
  Atomics.store(i32, ${READY_BASE} + d.index, 1);
  for (;;) {
    // spin briefly before sleeping: in a training step the next op follows within microseconds (Note [Spinning])
    for (let k = 0; k < ${SPIN} && Atomics.load(i32, ${GEN}) === seen; k++);
    Atomics.wait(i32, ${GEN}, seen);
    const gen = Atomics.load(i32, ${GEN});
    if (gen === seen) continue;
    seen = gen;
    if (Atomics.load(i32, ${STOP_BASE} + d.index) !== 0) { Atomics.store(i32, ${READY_BASE} + d.index, 0); return; }
    // claim lists until none is left, starting at this thread's share (Note [Work stealing])
    const lists = Math.min(table[0] | 0, ${MAX_LISTS});
    const from = Math.floor((d.index * lists) / Math.max(1, table[1] | 0));
    for (let t = 0; t < lists; t++) {
      const l = (from + t) % lists;
      if (Atomics.compareExchange(i32, ${CLAIM_BASE} + l, gen, 0) !== gen) continue;
      let p = table[2 + l];
      const count = table[p++];
      for (let j = 0; j < count; j++) {
        const fn = fns[table[p++]];
        const n = table[p++];
        const a = table.subarray(p, p + n);
        p += n;
        fn(...a);
      }
      if (Atomics.sub(i32, ${PENDING}, 1) === 1) Atomics.notify(i32, ${PENDING});
    }
  }
};
// Node: require in CommonJS eval, getBuiltinModule where the eval is an ES module (node --input-type=module)
const wt = typeof require === 'function' ? require('node:worker_threads')
  : typeof process === 'object' && typeof process.getBuiltinModule === 'function'
    ? process.getBuiltinModule('node:worker_threads') : null;
if (wt) start(wt.workerData);
else self.onmessage = (e) => start(e.data);
`;

interface WorkerLike {
  terminate(): unknown;
  unref?(): void;
}

type NodeWorkerCtor = new (code: string, opts: { eval: true; workerData: unknown }) => WorkerLike;

let nodeWorker: NodeWorkerCtor | null = null;
let cores = 1;
const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
/**
 * Loads Node's worker_threads in the background (no top-level await, so CommonJS loaders and `tsx -e` can still
 * import tsgrad); until it resolves, large ops simply run on the calling thread.
 * @example await nodeThreadsLoaded
 */
export const nodeThreadsLoaded: Promise<void> = isNode ? loadNodeThreads() : Promise.resolve();

/** worker_threads and os: synchronously where Node offers process.getBuiltinModule, else by dynamic import. */
function loadNodeThreads(): Promise<void> {
  type WT = typeof import('node:worker_threads');
  type OS = typeof import('node:os');
  const use = ([wt, os]: [WT, OS]): void => {
    nodeWorker = wt.Worker as unknown as NodeWorkerCtor;
    cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  };
  const wt = nodeBuiltin<WT>('node:worker_threads');
  const os = nodeBuiltin<OS>('node:os');
  if (wt && os) {
    use([wt, os]);
    return Promise.resolve();
  }
  return Promise.all([importNode<WT>('node:worker_threads'), importNode<OS>('node:os')]).then(use, () => {
    nodeWorker = null;
  });
}
if (!isNode && typeof navigator !== 'undefined') cores = navigator.hardwareConcurrency || 1;

/**
 * Whether worker threads can share the heap here (SharedArrayBuffer present; pages need cross-origin isolation).
 * @example threadsSupported() // true in Node
 */
export function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  if (isNode) return true; // worker_threads always exists in Node (it loads in the background: nodeThreadsLoaded)
  return (
    typeof Worker !== 'undefined' &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
  );
}

/**
 * Logical cores of this machine (the default and the cap for the thread count).
 * @example coreCount() // 2
 */
export function coreCount(): number {
  return Math.max(1, Math.min(cores, MAX_THREADS));
}

/**
 * Workers over one shared memory and one kernel module; `run` executes one job list per thread.
 * @example const pool = new ThreadPool(memory, module); pool.resize(1); pool.run([[job0], [job1]]);
 */
export class ThreadPool {
  private readonly workers: WorkerLike[] = [];
  private readonly i32: Int32Array;
  private readonly canBlock: boolean;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    private readonly callerRun: (fn: number, args: readonly number[]) => void,
  ) {
    this.i32 = new Int32Array(memory.buffer, 0, JOBS_AT / 4);
    this.canBlock =
      nodeWorker !== null || typeof (globalThis as { document?: unknown }).document === 'undefined';
  }

  /** Workers started (ready or not). */
  get size(): number {
    return this.workers.length;
  }
  /** Workers that have instantiated the module and wait for jobs. */
  get ready(): number {
    let n = 0;
    for (let k = 1; k <= this.workers.length; k++) n += Atomics.load(this.i32, READY_BASE + k);
    return n;
  }

  /** Starts or stops workers so that `n` exist. */
  resize(n: number): void {
    n = Math.max(0, Math.min(n, MAX_THREADS - 1));
    if (isNode && nodeWorker === null) return; // worker_threads not loaded yet: stay single-threaded for now
    while (this.workers.length > n) {
      const index = this.workers.length; // worker k uses job area k (area 0 is the caller's)
      Atomics.store(this.i32, STOP_BASE + index, 1);
      Atomics.store(this.i32, READY_BASE + index, 0);
      this.workers.pop()!.terminate();
    }
    while (this.workers.length < n) {
      const index = this.workers.length + 1;
      Atomics.store(this.i32, STOP_BASE + index, 0);
      Atomics.store(this.i32, READY_BASE + index, 0);
      const data = { module: this.module, memory: this.memory, index };
      let w: WorkerLike;
      if (nodeWorker) w = new nodeWorker(WORKER_SOURCE, { eval: true, workerData: data });
      else {
        const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        const ww = new Worker(url);
        ww.postMessage(data);
        w = ww;
      }
      w.unref?.();
      this.workers.push(w);
    }
  }

  /** Resolves once every started worker is ready (polls; used by tests and benchmarks). */
  async whenReady(timeoutMs = 10000): Promise<void> {
    await nodeThreadsLoaded;
    const t0 = Date.now();
    while (this.ready < this.workers.length) {
      if (Date.now() - t0 > timeoutMs) throw new Error('worker threads did not start in time');
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /**
   * Runs every job list, on the calling thread and the ready workers, each list exactly once and the jobs of a list
   * in order; returns once all are done. Lists may outnumber threads (Note [Work stealing]).
   */
  run(lists: readonly (readonly Job[])[]): void {
    const runList = (list: readonly Job[]): void => {
      for (const j of list) this.callerRun(j.fn, j.args);
    };
    const workers = this.ready;
    if (lists.length <= 1 || workers === 0) {
      lists.forEach(runList);
      return;
    }
    // more lists than claim words: merge neighbours (the lists of one op are independent)
    let ls = lists;
    if (ls.length > MAX_LISTS)
      ls = Array.from({ length: MAX_LISTS }, (_, k) =>
        lists
          .slice(Math.floor((k * lists.length) / MAX_LISTS), Math.floor(((k + 1) * lists.length) / MAX_LISTS))
          .flat(),
      );
    const table = new Float64Array(this.memory.buffer, JOBS_AT, TABLE_F64);
    if (!writeTable(table, ls, workers + 1)) {
      lists.forEach(runList);
      return;
    }
    const gen = (Atomics.load(this.i32, GEN) + 1) | 0 || 1; // 0 marks a claimed list
    for (let l = 0; l < ls.length; l++) Atomics.store(this.i32, CLAIM_BASE + l, gen);
    Atomics.store(this.i32, PENDING, ls.length);
    Atomics.store(this.i32, GEN, gen);
    Atomics.notify(this.i32, GEN);
    for (let l = 0; l < ls.length; l++)
      if (Atomics.compareExchange(this.i32, CLAIM_BASE + l, gen, 0) === gen) {
        runList(ls[l]!);
        Atomics.sub(this.i32, PENDING, 1);
      }
    for (let k = 0; k < SPIN && Atomics.load(this.i32, PENDING) !== 0; k++);
    for (;;) {
      const left = Atomics.load(this.i32, PENDING);
      if (left === 0) break;
      if (this.canBlock) Atomics.wait(this.i32, PENDING, left, 1000);
    }
  }
}

/** Writes the job table: [lists, threads, offset of each list, then each list: count, (fn, nargs, args...)...]. */
function writeTable(table: Float64Array, lists: readonly (readonly Job[])[], threads: number): boolean {
  let p = 2 + lists.length;
  for (let l = 0; l < lists.length; l++) {
    const list = lists[l]!;
    table[2 + l] = p;
    if (p + 1 > table.length) return false;
    table[p++] = list.length;
    for (const j of list) {
      if (p + 2 + j.args.length > table.length) return false;
      table[p++] = j.fn;
      table[p++] = j.args.length;
      for (const a of j.args) table[p++] = a;
    }
  }
  table[0] = lists.length;
  table[1] = threads;
  return true;
}
