/**
 * @file Cold start: milliseconds from before `import('tsgrad')` to the end of the first 256x256 matmul, in a fresh process.
 */
const t0 = performance.now();
const torch = await import('../src/index.js');
const a = torch.randn(256, 256);
torch.matmul(a, a).toArray();
process.stdout.write(
  `${JSON.stringify([{ id: 'cold', case: 'import + first matmul', value: performance.now() - t0, unit: 'ms', higherIsBetter: false }])}\n`,
);
process.exit(0);
