/**
 * @file SGEMM microkernel lab: register-tile variants timed on L1-resident packed panels (`rep_*`, the same panels
 * again and again) and over L2-sized blocks as the driver walks them (`macro_*`), interleaved with the multiply-add
 * ceiling in one process, best of 7. FMA variants need relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd).
 * `npx tsx bench/gemm-lab.ts`, `KC=128 BLOCKS=64x256x512 node --experimental-wasm-relaxed-simd --import tsx bench/gemm-lab.ts`
 */
import { type Expr, type Local, ModuleBuilder, simdSupport } from '../src/backend/wasm/emitter.js';

interface Variant {
  name: string;
  /** Rows of the tile and B vectors per k step (NR = 4 nv). */
  mr: number;
  nv: number;
  /** A packed plain and splat in the loop (load32_splat) rather than pre-broadcast (16 B a value). */
  splat: boolean;
  /** k steps per loop iteration, with an exit test between them (the production non-FMA kernel uses 2). */
  unroll: 1 | 2;
  fma: boolean;
}

const PAGES = 256;
const m = new ModuleBuilder({ shared: false, initialPages: PAGES, maximumPages: PAGES });

m.func('peak', ['i32'], ['f32'], (f) => {
  const iters = f.param(0);
  const A = Array.from({ length: 12 }, () => f.local('v128'));
  const x = f.local('v128');
  const y = f.local('v128');
  const it = f.local('i32');
  f.emit(f.set(x, f.splat(f.f32(0.999999))), f.set(y, f.splat(f.f32(1e-6))));
  for (const [i, l] of A.entries()) f.set(l, f.splat(f.f32(i)))();
  f.for_(it, f.i32(0), f.get(iters), 1, () => {
    for (const l of A) f.set(l, f.vadd(f.vmul(f.get(l), f.get(x)), f.get(y)))();
  })();
  let s: Expr = f.get(A[0]!);
  for (let i = 1; i < A.length; i++) s = f.vadd(s, f.get(A[i]!));
  f.ret(f.lane(s, 0))();
});

/** micro(pa, pb, c, kc, ldc, acc): c[mr x 4nv] (+)= the panels' product, as codegen's gemm_micro. */
function micro(v: Variant): number {
  return m.func(`micro_${v.name}`, new Array(6).fill('i32'), [], (f) => {
    const [pa, pb, c, kc, ldc, acc] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i)) as [
      Local,
      Local,
      Local,
      Local,
      Local,
      Local,
    ];
    const C = Array.from({ length: v.nv * v.mr }, () => f.local('v128'));
    const B = Array.from({ length: v.nv }, () => f.local('v128'));
    const a = f.local('v128');
    const k = f.local('i32');
    const aStep = (v.splat ? 4 : 16) * v.mr;
    const bStep = 16 * v.nv;
    const madd = (x: Expr, y: Expr, z: Expr): Expr => (v.fma ? f.vmadd(x, y, z) : f.vadd(z, f.vmul(x, y)));
    const stepAt = (u: number): void => {
      for (let j = 0; j < v.nv; j++) f.set(B[j]!, f.load('v128', f.get(pb), bStep * u + 16 * j))();
      for (let r = 0; r < v.mr; r++) {
        f.set(
          a,
          v.splat ? f.loadSplat(f.get(pa), aStep * u + 4 * r) : f.load('v128', f.get(pa), aStep * u + 16 * r),
        )();
        for (let j = 0; j < v.nv; j++)
          f.set(C[v.nv * r + j]!, madd(f.get(a), f.get(B[j]!), f.get(C[v.nv * r + j]!)))();
      }
    };
    const advance =
      (steps: number): Expr =>
      () =>
        f.emit(
          f.set(pa, f.add(f.get(pa), f.i32(steps * aStep))),
          f.set(pb, f.add(f.get(pb), f.i32(steps * bStep))),
        );
    f.set(k, f.get(kc))();
    if (v.unroll === 1)
      f.while_(f.gtS(f.get(k), f.i32(0)), () => {
        stepAt(0);
        advance(1)();
        f.set(k, f.sub(f.get(k), f.i32(1)))();
      })();
    else
      f.block((exit) => {
        f.while_(f.gtS(f.get(k), f.i32(0)), () => {
          stepAt(0);
          f.set(k, f.sub(f.get(k), f.i32(1)))();
          f.if_(f.eqz(f.get(k)), () => {
            advance(1)();
            f.brIf(exit, f.i32(1))();
          })();
          stepAt(1);
          advance(2)();
          f.set(k, f.sub(f.get(k), f.i32(1)))();
        })();
      })();
    const row = (r: number): Expr => f.add(f.get(c), f.mul(f.get(ldc), f.i32(r)));
    const store = (add: boolean) => (): void => {
      for (let r = 0; r < v.mr; r++)
        for (let j = 0; j < v.nv; j++) {
          const cv = f.get(C[v.nv * r + j]!);
          f.store('v128', row(r), add ? f.vadd(f.load('v128', row(r), 16 * j), cv) : cv, 16 * j)();
        }
    };
    // an if/else epilogue, as codegen's: a select-based one (load C always, pick) made TurboFan spill the 5- and
    // 6-row loops' accumulators (the register allocator sees the whole function) and halved them
    f.if_(f.get(acc), store(true), store(false))();
  });
}

const fma = simdSupport().relaxed;
const variants: Variant[] = [
  { name: '4x8 bcast u2 (production, no FMA)', mr: 4, nv: 2, splat: false, unroll: 2, fma: false },
  { name: '4x8 splat u2', mr: 4, nv: 2, splat: true, unroll: 2, fma: false },
  { name: '4x8 splat u1', mr: 4, nv: 2, splat: true, unroll: 1, fma: false },
  { name: '5x8 splat u1', mr: 5, nv: 2, splat: true, unroll: 1, fma: false },
  { name: '3x12 splat u1', mr: 3, nv: 3, splat: true, unroll: 1, fma: false },
  ...(fma
    ? ([
        { name: 'FMA 4x8 splat u2', mr: 4, nv: 2, splat: true, unroll: 2, fma: true },
        { name: 'FMA 6x8 splat u1 (production, FMA)', mr: 6, nv: 2, splat: true, unroll: 1, fma: true },
        { name: 'FMA 6x8 splat u2', mr: 6, nv: 2, splat: true, unroll: 2, fma: true },
      ] as Variant[])
    : []),
];
const idx = variants.map(micro);
for (const [i, v] of variants.entries()) {
  // rep(pa, pb, c, kc, reps): the same panels `reps` times
  m.func(`rep_${i}`, new Array(5).fill('i32'), [], (f) => {
    const [pa, pb, c, kc, reps] = [0, 1, 2, 3, 4].map((j) => f.param(j)) as [
      Local,
      Local,
      Local,
      Local,
      Local,
    ];
    const r = f.local('i32');
    f.for_(r, f.i32(0), f.get(reps), 1, () => {
      f.call(idx[i]!, f.get(pa), f.get(pb), f.get(c), f.get(kc), f.i32(64), f.i32(1))();
    })();
  });
  // macro(pa, pb, c, mc, nc, kc, ldc): every tile of an mc x nc block, B micro-panel outer, as the driver
  m.func(`macro_${i}`, new Array(7).fill('i32'), [], (f) => {
    const [pa, pb, c, mc, nc, kc, ldc] = [0, 1, 2, 3, 4, 5, 6].map((j) => f.param(j)) as Local[] as [
      Local,
      Local,
      Local,
      Local,
      Local,
      Local,
      Local,
    ];
    const jr = f.local('i32');
    const ir = f.local('i32');
    const nr = 4 * v.nv;
    f.for_(jr, f.i32(0), f.sub(f.get(nc), f.i32(nr - 1)), nr, () => {
      f.for_(ir, f.i32(0), f.sub(f.get(mc), f.i32(v.mr - 1)), v.mr, () => {
        f.call(
          idx[i]!,
          f.add(f.get(pa), f.mul(f.get(ir), f.mul(f.get(kc), f.i32(v.splat ? 4 : 16)))),
          f.add(f.get(pb), f.mul(f.get(jr), f.shl(f.get(kc), f.i32(2)))),
          f.add(f.get(c), f.add(f.mul(f.get(ir), f.get(ldc)), f.shl(f.get(jr), f.i32(2)))),
          f.get(kc),
          f.get(ldc),
          f.i32(1),
        )();
      })();
    })();
  });
}

const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
const inst = new WebAssembly.Instance(new WebAssembly.Module(m.toBytes() as BufferSource), {
  env: { memory },
});
const ex = inst.exports as Record<string, (...a: number[]) => number>;
const f32 = new Float32Array(memory.buffer);
for (let i = 0; i < f32.length; i++) f32[i] = ((i * 7919) % 1000) / 1000 - 0.5;
const KC = Number(process.env.KC ?? 256);
// L1 panels at 64 KiB / 128 KiB, C at 512 KiB; the blocks' A at 1 MiB, B at 6 MiB, C at 11 MiB (ldc 4 KiB)
const [PA, PB, PC, BIG_A, BIG_B, BIG_C] = [1 << 16, 1 << 17, 1 << 19, 1 << 20, 6 << 20, 11 << 20];
const blocks = (process.env.BLOCKS ?? '72x256x1024')
  .split(',')
  .map((b) => b.split('x').map(Number) as [number, number, number]);

const time = (fn: () => void): number => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const best: Record<string, number> = {};
const note = (k: string, gflops: number): void => {
  best[k] = Math.max(best[k] ?? 0, gflops);
};
for (let round = 0; round < 7; round++) {
  note('ceiling (mul+add loop)', (2e6 * 96) / time(() => ex.peak!(2e6)) / 1e6);
  for (const [i, v] of variants.entries()) {
    const flopsPerCall = 2 * KC * v.mr * 4 * v.nv;
    const reps = Math.round(4e8 / flopsPerCall);
    note(`${v.name}, L1`, (reps * flopsPerCall) / time(() => ex[`rep_${i}`]!(PA, PB, PC, KC, reps)) / 1e6);
    for (const [mc, kc, nc] of blocks) {
      const n = Math.max(1, Math.round(2e8 / (2 * mc * kc * nc)));
      const ms = time(() => {
        for (let r = 0; r < n; r++) ex[`macro_${i}`]!(BIG_A, BIG_B, BIG_C, mc, nc, kc, 4096);
      });
      note(`${v.name}, block ${mc}x${kc}x${nc}`, (2 * n * mc * kc * nc) / ms / 1e6);
    }
  }
}
console.log(
  JSON.stringify(Object.fromEntries(Object.entries(best).map(([k, x]) => [k, +x.toFixed(1)])), null, 1),
);
