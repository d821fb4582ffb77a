/**
 * @file tsgrad's core in a real browser: `src/index.ts` bundled for the browser with esbuild (no Node-only import
 * may leak in), loaded into headless Chromium, where the tutorial's regression trains and prints what PyTorch
 * prints, and a large matmul runs (on the WebAssembly kernels once they have compiled).
 * Skipped, with the reason printed, where /usr/bin/chromium is absent.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CHROMIUM, hasChromium, launchChromium } from '../helpers/chromium.js';

if (!hasChromium)
  console.log(`skipping the core browser test: ${CHROMIUM} not found (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('tsgrad in headless Chromium', () => {
  test('trains the tutorial regression and prints what PyTorch prints', async () => {
    const { build } = await import('esbuild');
    const bundle = await build({
      entryPoints: [join(import.meta.dirname, '../../src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'torch',
      write: false,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]?.text ?? '';
    // esbuild fails on a static import of a Node built-in for the browser; the worker source kept as a string
    // (src/backend/threads) and importNode() specifiers are fine
    expect(code).not.toMatch(/^\s*import\b.*from\s*["']node:/m);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ content: code });
      const result = await page.evaluate(async () => {
        const torch = (globalThis as unknown as { torch: typeof import('../../src/index.js') }).torch;
        torch.manualSeed(100);
        const x = torch.unsqueeze(torch.linspace(-1, 1, 100), 1);
        const y = torch.add(torch.add(torch.mul(3, x.pow(2)), 2), torch.mul(0.2, torch.rand(x.size())));
        const w = torch.randn(1, 1, { requiresGrad: true });
        const b = torch.zeros(1, 1, { requiresGrad: true });
        const first = String(w);
        let loss = y.sum();
        for (let i = 0; i < 800; i++) {
          loss = y.sub(x.pow(2).mm(w).add(b)).pow(2).sum();
          loss.backward();
          torch.noGrad(() => {
            w.sub_(torch.mul(0.001, w.grad!));
            b.sub_(torch.mul(0.001, b.grad!));
            w.grad!.zero_();
            b.grad!.zero_();
          });
        }
        await new Promise((r) => setTimeout(r, 50)); // let the wasm kernels finish compiling
        const a = torch.ones(128, 128);
        const big = a.matmul(a).sum();
        return { first, w: String(w), b: String(b), loss: String(loss), big: await big.itemAsync() };
      });
      expect(errors).toEqual([]);
      expect(result.first).toBe('tensor([[0.2437]], requires_grad=True)');
      expect(result.w).toBe('tensor([[2.9668]], requires_grad=True)');
      expect(result.b).toBe('tensor([[2.1138]], requires_grad=True)');
      expect(result.loss).toBe('tensor(0.3335, grad_fn=<SumBackward0>)');
      expect(result.big).toBe(128 * 128 * 128);
    } finally {
      await browser.close();
    }
  });
});
