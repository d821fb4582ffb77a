/**
 * @file Memory stays flat in the loop users write first: a synchronous training loop that starts right after
 * `import` and never yields (so nothing that loads in the background could help). Run in a fresh Node process.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const script = `
import * as torch from './src/index.ts';
import { getBackend } from './src/backend/devices.ts';
const heap = getBackend('cpu').heap;
heap.reclaimThreshold = 16 * 2 ** 20;
const w = torch.randn(256, 256, { requiresGrad: true });
const x = torch.randn(64, 256);
let peak = 0;
for (let i = 0; i < 400; i++) {
  const loss = torch.tanh(x.matmul(w)).mul(x.matmul(w)).sum(); // ~0.5 MiB of heap garbage per step
  loss.backward();
  torch.noGrad(() => w.sub_(w.grad.mul(1e-3)));
  w.grad = null;
  if (i === 100) peak = heap.heapBytes;
}
console.log(JSON.stringify({ peak, end: heap.heapBytes, reclaims: heap.reclaims }));
`;

test('a synchronous loop right after import reclaims the wasm heap (it stays flat)', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  const { peak, end, reclaims } = JSON.parse(out.trim().split('\n').at(-1)!) as {
    peak: number;
    end: number;
    reclaims: number;
  };
  expect(reclaims).toBeGreaterThan(0);
  expect(end).toBeLessThanOrEqual(peak * 1.25);
  expect(end).toBeLessThan(96 * 2 ** 20);
}, 60_000);
