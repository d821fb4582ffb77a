/**
 * @file The FMA SGEMM path, which runtimes with relaxed SIMD (Node 22+, current browsers) take: Node 20 validates
 * relaxed SIMD only behind a V8 flag, so the check runs in a child process started with it.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

test('FMA SGEMM (6x8 tile) matches the reference matmul, 1-3 threads', () => {
  const script = fileURLToPath(new URL('../helpers/gemm-fma-check.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  if (/bad option|not allowed/.test(out)) return; // a runtime without the flag (relaxed SIMD is then on by default)
  expect(out.trim()).toMatch(/^(ok|skip: .*)$/);
  expect(r.status).toBe(0);
});
