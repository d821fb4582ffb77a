/**
 * @file Both SGEMM builds in fresh plain-node processes (the conformance suite in wasm.test.ts runs whichever this
 * runtime gets). The FMA one also checks Note [Relaxed SIMD on Node 20] end to end on Node 20: the kernel module
 * compiled with the V8 flag set only for that moment, then tiered up and copied to the worker threads after the flag
 * is cleared again.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const script = fileURLToPath(new URL('../helpers/gemm-fma-check.ts', import.meta.url));
const check = (env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', script], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });

test('FMA SGEMM (6x8 tile) matches the reference matmul, 1-3 threads', () => {
  const r = check({});
  expect(`${r.stdout}${r.stderr}`.trim()).toBe('ok');
  expect(r.status).toBe(0);
});

test('multiply-add SGEMM (4x8 tile, TSGRAD_WASM_FMA=0) matches the reference matmul, 1-3 threads', () => {
  const r = check({ TSGRAD_WASM_FMA: '0' });
  expect(`${r.stdout}${r.stderr}`.trim()).toBe('ok');
  expect(r.status).toBe(0);
});
