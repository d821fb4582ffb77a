/**
 * @file `npm run bench`: runs W1-W6 for tsgrad (wasm, 1 and 2 threads; without relaxed-SIMD FMA for the GEMM-bound
 * workloads; plain TS), TensorFlow.js (cpu; wasm) and
 * PyTorch CPU (1 and 2 threads, when /usr/bin/python3 has torch), each in a fresh process, and writes bench/RESULTS.md
 * with medians, ratios and an SVG chart (bench/results.svg).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Result } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

interface Config {
  name: string;
  cmd: string;
  args: string[];
  env: Record<string, string>;
}
// node --import tsx (not tsx's CLI, which starts a second process that would not get the node flags)
const tsx = ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href];
const node = (file: string, env: Record<string, string>, name: string, flags: string[] = []): Config => ({
  name,
  cmd: process.execPath,
  args: [...flags, ...tsx, join(here, file)],
  env,
});
// tsgrad's side runs as plain JavaScript bundled the way dist/ is (scripts/bundle.mjs), not through tsx: tsx keeps
// function names (esbuild's keepNames), which wraps every named closure in a call and made small ops ~25% slower
// than the package users install
const tsgradJs = join(here, '.build/tsgrad.mjs');
await build({
  entryPoints: [join(here, 'tsgrad.ts')],
  outfile: tsgradJs,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  packages: 'external',
  logLevel: 'warning',
});
const tsgrad = (env: Record<string, string>, name: string, flags: string[] = []): Config => ({
  name,
  cmd: process.execPath,
  args: [...flags, tsgradJs],
  env,
});
// tsgrad uses relaxed-SIMD FMA wherever it can (on Node 20 too: Note [Relaxed SIMD on Node 20]); the no-FMA rows
// are what a runtime without relaxed SIMD gets (Safari), with TSGRAD_WASM_FMA=0
const gemmBound = 'ceiling,W2,W3,W6';
const noFma = { TSGRAD_WASM_FMA: '0', BENCH_ONLY: gemmBound };
const configs: Config[] = [
  tsgrad({ BENCH_THREADS: '1' }, 'tsgrad wasm 1T'),
  tsgrad({ BENCH_THREADS: '2' }, 'tsgrad wasm 2T'),
  tsgrad({ BENCH_THREADS: '1', ...noFma }, 'tsgrad wasm no-FMA 1T'),
  tsgrad({ BENCH_THREADS: '2', ...noFma }, 'tsgrad wasm no-FMA 2T'),
  tsgrad({ BENCH_THREADS: '1', TSGRAD_CPU: 'ts' }, 'tsgrad plain-TS'),
  // plain node on the built package: what a user's first import costs (no TypeScript loader)
  { name: 'tsgrad cold start', cmd: process.execPath, args: [join(here, 'cold-start.mjs')], env: {} },
  node('tfjs.ts', { BENCH_TFJS: 'cpu' }, 'tfjs cpu'),
  node('tfjs.ts', { BENCH_TFJS: 'wasm', BENCH_THREADS: '1' }, 'tfjs wasm 1T'),
  node('tfjs.ts', { BENCH_TFJS: 'wasm', BENCH_THREADS: '2' }, 'tfjs wasm 2T'),
];
const python = '/usr/bin/python3';
let torchOk = false;
try {
  execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
  torchOk = true;
} catch {
  torchOk = false;
}
// PyTorch with glibc told to keep freed memory (no trimming, no mmap for blocks under 32 MiB)
const glibc = { MALLOC_TRIM_THRESHOLD_: '4294967295', MALLOC_MMAP_THRESHOLD_: '33554432' };
if (torchOk)
  for (const t of ['1', '2'])
    configs.push({ name: `PyTorch ${t}T`, cmd: python, args: [join(here, 'torch_bench.py'), t], env: glibc });

const table = new Map<string, Map<string, Result>>(); // row key -> config -> result
const rowOrder: string[] = [];
for (const c of configs) {
  process.stderr.write(`running ${c.name}...\n`);
  try {
    const out = execFileSync(c.cmd, c.args, {
      env: { ...process.env, ...c.env },
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      timeout: 15 * 60_000,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = out.trim().split('\n').pop()!;
    for (const r of JSON.parse(line) as Result[]) {
      const key = `${r.id} ${r.case}`;
      if (!table.has(key)) {
        table.set(key, new Map());
        rowOrder.push(key);
      }
      table.get(key)!.set(c.name, r);
    }
  } catch (e) {
    process.stderr.write(`  ${c.name} failed: ${String(e).slice(0, 300)}\n`);
  }
}

const names = configs.map((c) => c.name).filter((n) => n !== 'tsgrad cold start');
const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const order = (k: string): number =>
  ['ceiling', 'W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'cold'].indexOf(k.split(' ')[0]!);
rowOrder.sort((a, b) => order(a) - order(b));

/** Ratio of tsgrad (same thread count) to a peer: > 1 means tsgrad is better. */
function ratio(key: string, peer: string, threads: string): string {
  const row = table.get(key)!;
  const mine = row.get(`tsgrad wasm ${threads}`);
  const theirs = row.get(peer);
  if (!mine || !theirs) return '–';
  const r = mine.higherIsBetter ? mine.value / theirs.value : theirs.value / mine.value;
  return `${r.toFixed(2)}x`;
}

const lines: string[] = [];
lines.push('# Benchmark results', '');
lines.push(
  `Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${cpus()[0]?.model ?? '?'} (${cpus().length} logical cores), ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}. One run, all configurations side by side, ` +
    'each in a fresh process; every figure is a median of repeated runs (see bench/harness.ts). ' +
    'Reproduce with `npm run bench`. Whole runs on a shared VM differ by up to about 10% (clock, neighbours): ' +
    'compare configurations within one run.',
  '',
);
lines.push(`| workload | unit | ${names.join(' | ')} |`);
lines.push(`| --- | --- | ${names.map(() => '---:').join(' | ')} |`);
for (const key of rowOrder.filter((k) => !k.startsWith('cold'))) {
  const row = table.get(key)!;
  const any = [...row.values()][0]!;
  const cells = names.map((n) => {
    const r = row.get(n);
    return r ? `${fmt(r.value)}${r.extra ? ` (${r.extra})` : ''}` : '–';
  });
  lines.push(`| ${key} | ${any.unit}${any.higherIsBetter ? ' ↑' : ' ↓'} | ${cells.join(' | ')} |`);
}
lines.push(
  '',
  '## Ratios (tsgrad wasm at the same thread count vs each peer; > 1 means tsgrad is faster)',
  '',
);
const peers: [string, string][] = [
  ['PyTorch 1T', '1T'],
  ['PyTorch 2T', '2T'],
  ['tfjs wasm 1T', '1T'],
  ['tfjs wasm 2T', '2T'],
  ['tfjs cpu', '1T'],
];
lines.push(`| workload | ${peers.map(([p, t]) => `vs ${p} (tsgrad ${t})`).join(' | ')} | vs plain TS (1T) |`);
lines.push(`| --- | ${peers.map(() => '---:').join(' | ')} | ---: |`);
for (const key of rowOrder) {
  if (key.startsWith('ceiling') || key.startsWith('cold')) continue; // not comparable
  lines.push(
    `| ${key} | ${peers.map(([p, t]) => ratio(key, p, t)).join(' | ')} | ${ratio(key, 'tsgrad plain-TS', '1T')} |`,
  );
}
const ceiling = (name: string): number | undefined => table.get('ceiling mul+add loop')?.get(name)?.value;
const w2 = (name: string): number | undefined => table.get('W2 n=1024')?.get(name)?.value;
if (ceiling('tsgrad wasm 1T')) {
  lines.push('', '## W2 n=1024 against the wasm SIMD multiply-add ceiling measured in this run', '');
  for (const name of ['tsgrad wasm 1T', 'tsgrad wasm 2T', 'tsgrad wasm no-FMA 1T', 'tsgrad wasm no-FMA 2T']) {
    const c = ceiling(name);
    const v = w2(name);
    if (c && v) lines.push(`- ${name}: ${fmt(v)} of ${fmt(c)} GFLOP/s = ${((v / c) * 100).toFixed(0)}%`);
  }
}
const cold = table.get('cold import + first matmul')?.get('tsgrad cold start')?.value;
if (cold !== undefined)
  lines.push(
    '',
    `Cold start (fresh plain-Node process, the built dist/): import + first 256x256 matmul (randn included) in ${fmt(cold)} ms.`,
  );
lines.push('', '![chart](results.svg)', '');
writeFileSync(join(here, 'RESULTS.md'), `${lines.join('\n')}\n`);
writeFileSync(join(here, 'results.svg'), chart());
process.stderr.write(`wrote ${join(here, 'RESULTS.md')}\n`);

/** A grouped bar chart of tsgrad's speed relative to PyTorch at the same thread count (log scale). */
function chart(): string {
  const rows = rowOrder.filter((k) => !k.startsWith('ceiling') && !k.startsWith('cold'));
  const series: [string, string, string][] = [
    ['tsgrad wasm 1T', 'PyTorch 1T', '#1f77b4'],
    ['tsgrad wasm 2T', 'PyTorch 2T', '#ff7f0e'],
    ['tfjs wasm 1T', 'PyTorch 1T', '#2ca02c'],
    ['tsgrad plain-TS', 'PyTorch 1T', '#9467bd'],
  ];
  const W = 860;
  const rowH = 16 * series.length + 14;
  const H = 60 + rows.length * rowH + 30;
  const x0 = 170;
  const span = W - x0 - 20;
  const lx = (r: number): number => x0 + ((Math.log10(r) + 3) / 4) * span; // 0.001x .. 10x
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="18" font-size="14">Speed relative to PyTorch CPU at the same thread count (log scale; 1 = parity)</text>`,
  ];
  for (const t of [0.001, 0.01, 0.1, 1, 10]) {
    const x = lx(t);
    out.push(`<line x1="${x}" y1="40" x2="${x}" y2="${H - 25}" stroke="${t === 1 ? '#000' : '#ddd'}"/>`);
    out.push(`<text x="${x}" y="${H - 10}" text-anchor="middle">${t}x</text>`);
  }
  series.forEach(([s, , color], i) => {
    out.push(`<rect x="${x0 + i * 150}" y="26" width="10" height="10" fill="${color}"/>`);
    out.push(`<text x="${x0 + i * 150 + 14}" y="35">${s}</text>`);
  });
  rows.forEach((key, ri) => {
    const y = 48 + ri * rowH;
    out.push(`<text x="10" y="${y + rowH / 2}">${key}</text>`);
    series.forEach(([s, peer, color], si) => {
      const row = table.get(key)!;
      const a = row.get(s);
      const b = row.get(peer);
      if (!a || !b) return;
      const r = a.higherIsBetter ? a.value / b.value : b.value / a.value;
      const x = lx(Math.max(r, 0.001));
      out.push(
        `<rect x="${x0}" y="${y + si * 16}" width="${Math.max(1, x - x0)}" height="13" fill="${color}"/>`,
      );
      out.push(`<text x="${x + 3}" y="${y + si * 16 + 11}">${r.toFixed(2)}</text>`);
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
void existsSync;
