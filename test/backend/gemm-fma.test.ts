/**
 * @file The FMA SGEMM path, in a fresh plain-node process: on Node 20 it also checks Note [Relaxed SIMD on Node 20]
 * end to end (the kernel module compiled with the V8 flag set only for that moment, then tiered up and copied to the
 * worker threads after the flag is cleared again).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

test('FMA SGEMM (6x8 tile) matches the reference matmul, 1-3 threads', () => {
  const script = fileURLToPath(new URL('../helpers/gemm-fma-check.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 120_000 });
  expect(`${r.stdout}${r.stderr}`.trim()).toBe('ok');
  expect(r.status).toBe(0);
});
