/**
 * @file package.json's `sideEffects` must name the modules whose top-level code registers something: a bundler drops
 * the others when nothing is imported from them. Bundling an app that never names `Tensor` used to drop the class's
 * registration, so ops returned bare TensorImpls without methods.
 */
import { build } from 'esbuild';
import { expect, test } from 'vitest';

test('an app that imports only functions still gets Tensors with methods after bundling', async () => {
  const app = `
    import { linspace, unsqueeze, randn } from './src/index.ts';
    const x = unsqueeze(linspace(-1, 1, 4), 1);
    globalThis.__result = [typeof x.pow, x.pow(2).sum().item(), typeof randn(3).sum(0).backward];
  `;
  const out = await build({
    stdin: { contents: app, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  const [powType, value, backwardType] = (globalThis as unknown as { __result: [string, number, string] })
    .__result;
  expect(powType).toBe('function');
  expect(value).toBeCloseTo(2.2222222, 5);
  expect(backwardType).toBe('function');
});
