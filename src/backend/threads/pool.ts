/**
 * @file A pool of worker threads (worker_threads in Node, Web Workers in browsers) sharing the wasm heap.
 * The caller writes each thread's job list into shared memory, wakes the workers with Atomics, runs its own part, then sleeps until all are done.
 *
 * Note [Work stealing]: a worker can wake late (its core busy, or the OS slow to schedule it): tens of microseconds to
 * milliseconds, longer than many ops. So each job list is claimed with a compare-and-swap before it runs, by its
 * worker or, once the caller has finished its own part, by the caller. A late worker finds its list taken and
 * sleeps again; two threads are then never slower than one by more than the claim.
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
const CLAIM_BASE = 96; // per job area: 0 while its list waits, 1 once a thread took it (Note [Work stealing])
/** Byte offset of the per-thread job areas, and their size. */
const JOBS_AT = 4096;
const JOB_BYTES = 16384;
/** Most threads the pool runs (caller included). */
export const MAX_THREADS = 16;
/** Bytes of heap the pool reserves at address 0. @example RESERVED_BYTES // 266240 */
export const RESERVED_BYTES = JOBS_AT + MAX_THREADS * JOB_BYTES;

/**
 * The worker's program, as plain JavaScript (it must run without a TypeScript loader). It instantiates the shared
 * kernel module, then waits on the generation word; per wake-up it runs its job list and decrements PENDING.
 */
const WORKER_SOURCE = `
const start = (d) => {
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  const fns = WebAssembly.Module.exports(d.module).map((e) => inst.exports[e.name]);
  const i32 = new Int32Array(d.memory.buffer, 0, ${JOBS_AT / 4});
  const jobs = new Float64Array(d.memory.buffer, ${JOBS_AT} + d.index * ${JOB_BYTES}, ${JOB_BYTES / 8});
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
    if (jobs[0] !== gen) continue; // not a participant of this generation
    if (Atomics.compareExchange(i32, ${CLAIM_BASE} + d.index, 0, 1) !== 0) continue; // the caller took it
    let p = 1;
    const count = jobs[p++];
    for (let j = 0; j < count; j++) {
      const fn = fns[jobs[p++]];
      const n = jobs[p++];
      const a = jobs.subarray(p, p + n);
      p += n;
      fn(...a);
    }
    if (Atomics.sub(i32, ${PENDING}, 1) === 1) Atomics.notify(i32, ${PENDING});
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
   * Runs `lists[0]` on the calling thread and `lists[t]` on worker t (t < 1 + ready). Returns once all are done.
   * Lists beyond the ready workers are run by the caller.
   */
  run(lists: readonly (readonly Job[])[]): void {
    const buf = this.memory.buffer;
    const area = (k: number): Float64Array => new Float64Array(buf, JOBS_AT + k * JOB_BYTES, JOB_BYTES / 8);
    // hand list t (t >= 1) to the t-th ready worker; the caller runs list 0 and any list left over
    let next = 1;
    let active = 0;
    const leftover: (readonly Job[])[] = [];
    const gen = (Atomics.load(this.i32, GEN) + 1) | 0;
    const handed: [number, readonly Job[]][] = []; // worker index, its list
    for (let k = 1; k <= this.workers.length && next < lists.length; k++) {
      const ready = Atomics.load(this.i32, READY_BASE + k) === 1;
      if (ready && writeJobs(area(k), lists[next]!, gen)) {
        Atomics.store(this.i32, CLAIM_BASE + k, 0);
        handed.push([k, lists[next]!]);
        next++;
        active++;
      }
    }
    for (; next < lists.length; next++) leftover.push(lists[next]!);
    if (active > 0) {
      Atomics.store(this.i32, PENDING, active);
      Atomics.store(this.i32, GEN, gen);
      Atomics.notify(this.i32, GEN);
    }
    for (const j of lists[0] ?? []) this.callerRun(j.fn, j.args);
    for (const list of leftover) for (const j of list) this.callerRun(j.fn, j.args);
    if (active === 0) return;
    // lists no worker has started yet are the caller's (Note [Work stealing])
    for (const [k, list] of handed)
      if (Atomics.compareExchange(this.i32, CLAIM_BASE + k, 0, 1) === 0) {
        for (const j of list) this.callerRun(j.fn, j.args);
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

function writeJobs(area: Float64Array, list: readonly Job[], gen: number): boolean {
  let p = 2;
  for (const j of list) {
    if (p + 2 + j.args.length > area.length) return false;
    area[p++] = j.fn;
    area[p++] = j.args.length;
    for (const a of j.args) area[p++] = a;
  }
  area[1] = list.length;
  area[0] = gen;
  return true;
}
