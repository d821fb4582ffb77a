/**
 * @file Cold start: milliseconds from before `import('tsgrad')` to the end of the first 256x256 matmul, in a fresh
 * plain-Node process loading the built package (`dist/`, what users import; run `npm run build` first).
 */
const t0 = performance.now();
const torch = await import(new URL('../dist/index.js', import.meta.url).href);
const a = torch.randn(256, 256);
torch.matmul(a, a).toArray();
const value = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify([{ id: 'cold', case: 'import + first matmul', value, unit: 'ms', higherIsBetter: false }])}\n`,
);
process.exit(0);
