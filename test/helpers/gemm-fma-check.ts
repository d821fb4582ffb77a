/**
 * @file Run by test/backend/gemm-fma.test.ts in a fresh node process: the SGEMM (FMA: 6x8 tile, plain A packing;
 * with TSGRAD_WASM_FMA=0: 4x8 tile, pre-broadcast A) against the reference matmul on odd sizes, transposed operands,
 * batches and skinny outputs with 1, 2 and 3 threads, after V8 has tiered the kernels up. Prints `ok`, or what went
 * wrong.
 */
import type { Strided } from '../../src/backend/backend.js';
import { cpuBackend } from '../../src/backend/cpu/cpu.js';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/wasm.js';
import { float32 } from '../../src/core/dtype.js';
import { GEMM_SIZES } from './gemm-cases.js';

const be = createWasmBackend() as WasmBackend;
const wantFma = process.env.TSGRAD_WASM_FMA !== '0';
if (be.fma !== wantFma) {
  process.stdout.write(`the kernel module was built ${be.fma ? 'with' : 'without'} relaxed-SIMD FMA\n`);
  process.exit(1);
}
be.small = 0;
be.parallelFrom.macs = 4096;
let seed = 7;
const next = (): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return (seed / 2 ** 32) * 6 - 3;
};
/** [batch, rows, cols] with the last two dims optionally transposed in memory. */
function operand(
  batch: number,
  rows: number,
  cols: number,
  transposed: boolean,
): { wasm: Strided; ref: Strided } {
  const host = Float32Array.from({ length: batch * rows * cols }, next);
  const strides = transposed ? [rows * cols, 1, rows] : [rows * cols, cols, 1];
  return {
    wasm: { buf: be.fromArray(float32, host), dtype: float32, strides, offset: 0 },
    ref: { buf: host, dtype: float32, strides, offset: 0 },
  };
}
// run the kernels long enough for V8 to tier them up from Liftoff to TurboFan (after the flag was cleared)
const warm = [operand(1, 130, 257, false), operand(1, 257, 70, true)] as const;
for (let i = 0; i < 300; i++) be.matmul(warm[0].wasm, warm[1].wasm, 1, 130, 257, 70, float32);
for (const threads of [1, 2, 3]) {
  be.setThreads(threads);
  await be.threadsReady();
  for (const [batch, m, k, n] of GEMM_SIZES)
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        const a = operand(batch, m, k, ta);
        const b = operand(batch, k, n, tb);
        const got = be.readSync(be.matmul(a.wasm, b.wasm, batch, m, k, n, float32), float32);
        const want = cpuBackend.matmul(a.ref, b.ref, batch, m, k, n, float32) as Float32Array;
        for (let i = 0; i < want.length; i++)
          if (!(Math.abs(got[i]! - want[i]!) <= 1e-4 * (Math.sqrt(k) + Math.abs(want[i]!)))) {
            process.stdout.write(
              `${threads}T ${batch}x${m}x${k}x${n} ta=${ta} tb=${tb}: [${i}] ${got[i]} != ${want[i]}\n`,
            );
            process.exit(1);
          }
      }
}
process.stdout.write('ok\n');
process.exit(0);
