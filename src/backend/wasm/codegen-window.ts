/**
 * @file Wasm kernels of the sliding-window primitives over float32 [N, C, h, w] planes: im2col, col2im, max pooling
 * and its backward. Each runs planes [p0, p1) (p = n·C + c), so the backend splits work across threads by plane.
 * Addresses and strides are bytes. The semantics are those of the reference kernels in `cpu/window.ts`.
 */
import type { Expr, Func, Local, ModuleBuilder } from './emitter.js';

/** Window geometry parameters, in this order, after each kernel's own (all i32). */
const GEOM = ['h', 'w', 'kh', 'kw', 'sh', 'sw', 'dh', 'dw', 'pt', 'pl', 'oh', 'ow'] as const;
type Geom = { readonly [K in (typeof GEOM)[number]]: Local };

/** Declares `names` then the geometry as i32 parameters; returns them by name. */
function params<N extends string>(f: Func, names: readonly N[]): Record<N, Local> & Geom {
  const all = [...names, ...GEOM];
  return Object.fromEntries(all.map((k, i) => [k, f.param(i)])) as Record<N, Local> & Geom;
}
const nParams = (names: readonly string[]): 'i32'[] => new Array(names.length + GEOM.length).fill('i32');
/** Fresh i32 locals by name. */
function i32Locals<N extends string>(f: Func, names: readonly N[]): Record<N, Local> {
  return Object.fromEntries(names.map((k) => [k, f.local('i32')])) as Record<N, Local>;
}

/**
 * Sets `lo`, `hi` to the output columns [lo, hi) whose input column ox·sw - a lies inside [0, w), a = pl - kx·dw.
 * Unsigned division only ever sees non-negative operands.
 */
function columnRange(f: Func, g: Geom, a: Local, lo: Local, hi: Local): void {
  const t = f.local('i32');
  f.emit(
    f.set(
      lo,
      f.select(
        f.divU(f.sub(f.add(f.get(a), f.get(g.sw)), f.i32(1)), f.get(g.sw)),
        f.i32(0),
        f.gtS(f.get(a), f.i32(0)),
      ),
    ),
    f.set(t, f.add(f.sub(f.get(g.w), f.i32(1)), f.get(a))),
    f.set(hi, f.select(f.add(f.divU(f.get(t), f.get(g.sw)), f.i32(1)), f.i32(0), f.geS(f.get(t), f.i32(0)))),
    f.set(hi, f.minS(f.get(hi), f.get(g.ow))),
    f.set(lo, f.minS(f.get(lo), f.get(g.ow))),
    f.set(hi, f.select(f.get(hi), f.get(lo), f.geS(f.get(hi), f.get(lo)))),
  );
}

/** `n` f32 zeros from byte address `p` (SIMD body, scalar tail). */
function zeros(f: Func, p: Local, n: Expr, end: Local): Expr {
  return () => {
    f.set(end, f.add(f.get(p), f.shl(n, f.i32(2))))();
    f.while_(f.leS(f.add(f.get(p), f.i32(16)), f.get(end)), () =>
      f.emit(f.store('v128', f.get(p), f.vzero()), f.set(p, f.add(f.get(p), f.i32(16)))),
    )();
    f.while_(f.ltS(f.get(p), f.get(end)), () =>
      f.emit(f.store('f32', f.get(p), f.f32(0)), f.set(p, f.add(f.get(p), f.i32(4)))),
    )();
  };
}

/**
 * im2col_f32(dst, src, p0, p1, c, sN, sC, sH, ...geom): dst planes [kh, kw, oh, ow] contiguous; src rows contiguous
 * (element stride 4 bytes), planes at n·sN + c·sC, rows sH apart.
 */
function im2colKernel(m: ModuleBuilder): void {
  const names = ['dst', 'src', 'p0', 'p1', 'c', 'sN', 'sC', 'sH'] as const;
  m.func('im2col_f32', nParams(names), [], (f) => {
    const P = params(f, names);
    const { p, n, sp, d, ky, kx, oy, iy, a, lo, hi, row, end, plane } = i32Locals(f, [
      'p',
      'n',
      'sp',
      'd',
      'ky',
      'kx',
      'oy',
      'iy',
      'a',
      'lo',
      'hi',
      'row',
      'end',
      'plane',
    ]);
    const src4 = f.local('i32');
    f.emit(
      f.set(plane, f.shl(f.mul(f.mul(f.get(P.kh), f.get(P.kw)), f.mul(f.get(P.oh), f.get(P.ow))), f.i32(2))),
      f.set(src4, f.shl(f.get(P.sw), f.i32(2))),
    );
    f.for_(p, f.get(P.p0), f.get(P.p1), 1, () => {
      f.emit(
        f.set(n, f.divU(f.get(p), f.get(P.c))),
        f.set(
          sp,
          f.add(
            f.get(P.src),
            f.add(
              f.mul(f.get(n), f.get(P.sN)),
              f.mul(f.sub(f.get(p), f.mul(f.get(n), f.get(P.c))), f.get(P.sC)),
            ),
          ),
        ),
        f.set(d, f.add(f.get(P.dst), f.mul(f.get(p), f.get(plane)))),
      );
      f.for_(ky, f.i32(0), f.get(P.kh), 1, () =>
        f.for_(kx, f.i32(0), f.get(P.kw), 1, () => {
          f.set(a, f.sub(f.get(P.pl), f.mul(f.get(kx), f.get(P.dw))))();
          columnRange(f, P, a, lo, hi);
          f.for_(oy, f.i32(0), f.get(P.oh), 1, () => {
            f.set(
              iy,
              f.add(f.sub(f.mul(f.get(oy), f.get(P.sh)), f.get(P.pt)), f.mul(f.get(ky), f.get(P.dh))),
            )();
            f.if_(
              f.ltU(f.get(iy), f.get(P.h)),
              () => {
                // zeros left of the input, the row's columns, zeros right of it
                zeros(f, d, f.get(lo), end)();
                f.set(
                  row,
                  f.add(
                    f.add(f.get(sp), f.mul(f.get(iy), f.get(P.sH))),
                    f.shl(f.sub(f.mul(f.get(lo), f.get(P.sw)), f.get(a)), f.i32(2)),
                  ),
                )();
                f.set(end, f.add(f.get(d), f.shl(f.sub(f.get(hi), f.get(lo)), f.i32(2))))();
                f.if_(
                  f.eq(f.get(P.sw), f.i32(1)),
                  () => {
                    f.while_(f.leS(f.add(f.get(d), f.i32(16)), f.get(end)), () =>
                      f.emit(
                        f.store('v128', f.get(d), f.load('v128', f.get(row))),
                        f.set(d, f.add(f.get(d), f.i32(16))),
                        f.set(row, f.add(f.get(row), f.i32(16))),
                      ),
                    )();
                    f.while_(f.ltS(f.get(d), f.get(end)), () =>
                      f.emit(
                        f.store('f32', f.get(d), f.load('f32', f.get(row))),
                        f.set(d, f.add(f.get(d), f.i32(4))),
                        f.set(row, f.add(f.get(row), f.i32(4))),
                      ),
                    )();
                  },
                  () =>
                    f.while_(f.ltS(f.get(d), f.get(end)), () =>
                      f.emit(
                        f.store('f32', f.get(d), f.load('f32', f.get(row))),
                        f.set(d, f.add(f.get(d), f.i32(4))),
                        f.set(row, f.add(f.get(row), f.get(src4))),
                      ),
                    )(),
                )();
                zeros(f, d, f.sub(f.get(P.ow), f.get(hi)), end)();
              },
              () => zeros(f, d, f.get(P.ow), end)(),
            )();
          })();
        })(),
      )();
    })();
  });
}

/** col2im_f32(dst, src, p0, p1, ...geom): src planes [kh, kw, oh, ow] and dst planes [h, w], both contiguous. */
function col2imKernel(m: ModuleBuilder): void {
  const names = ['dst', 'src', 'p0', 'p1'] as const;
  m.func('col2im_f32', nParams(names), [], (f) => {
    const P = params(f, names);
    const { p, d, s, ky, kx, oy, iy, a, lo, hi, row, sp, end, rowBytes } = i32Locals(f, [
      'p',
      'd',
      's',
      'ky',
      'kx',
      'oy',
      'iy',
      'a',
      'lo',
      'hi',
      'row',
      'sp',
      'end',
      'rowBytes',
    ]);
    const ow4 = f.local('i32');
    const step = f.local('i32');
    f.emit(
      f.set(rowBytes, f.shl(f.get(P.w), f.i32(2))),
      f.set(ow4, f.shl(f.get(P.ow), f.i32(2))),
      f.set(step, f.shl(f.get(P.sw), f.i32(2))),
      f.set(
        s,
        f.add(
          f.get(P.src),
          f.shl(
            f.mul(f.get(P.p0), f.mul(f.mul(f.get(P.kh), f.get(P.kw)), f.mul(f.get(P.oh), f.get(P.ow)))),
            f.i32(2),
          ),
        ),
      ),
    );
    f.for_(p, f.get(P.p0), f.get(P.p1), 1, () => {
      f.set(d, f.add(f.get(P.dst), f.mul(f.get(p), f.mul(f.get(P.h), f.get(rowBytes)))))();
      f.set(row, f.get(d))();
      zeros(f, row, f.mul(f.get(P.h), f.get(P.w)), end)();
      f.for_(ky, f.i32(0), f.get(P.kh), 1, () =>
        f.for_(kx, f.i32(0), f.get(P.kw), 1, () => {
          f.set(a, f.sub(f.get(P.pl), f.mul(f.get(kx), f.get(P.dw))))();
          columnRange(f, P, a, lo, hi);
          f.for_(oy, f.i32(0), f.get(P.oh), 1, () => {
            f.set(
              iy,
              f.add(f.sub(f.mul(f.get(oy), f.get(P.sh)), f.get(P.pt)), f.mul(f.get(ky), f.get(P.dh))),
            )();
            f.if_(f.ltU(f.get(iy), f.get(P.h)), () => {
              f.emit(
                f.set(
                  row,
                  f.add(
                    f.add(f.get(d), f.mul(f.get(iy), f.get(rowBytes))),
                    f.shl(f.sub(f.mul(f.get(lo), f.get(P.sw)), f.get(a)), f.i32(2)),
                  ),
                ),
                f.set(sp, f.add(f.get(s), f.shl(f.get(lo), f.i32(2)))),
                f.set(end, f.add(f.get(s), f.shl(f.get(hi), f.i32(2)))),
              );
              f.if_(f.eq(f.get(P.sw), f.i32(1)), () =>
                f.while_(f.leS(f.add(f.get(sp), f.i32(16)), f.get(end)), () =>
                  f.emit(
                    f.store(
                      'v128',
                      f.get(row),
                      f.vadd(f.load('v128', f.get(row)), f.load('v128', f.get(sp))),
                    ),
                    f.set(row, f.add(f.get(row), f.i32(16))),
                    f.set(sp, f.add(f.get(sp), f.i32(16))),
                  ),
                )(),
              )();
              f.while_(f.ltS(f.get(sp), f.get(end)), () =>
                f.emit(
                  f.store('f32', f.get(row), f.fadd(f.load('f32', f.get(row)), f.load('f32', f.get(sp)))),
                  f.set(row, f.add(f.get(row), f.get(step))),
                  f.set(sp, f.add(f.get(sp), f.i32(4))),
                ),
              )();
            })();
            f.set(s, f.add(f.get(s), f.get(ow4)))();
          })();
        })(),
      )();
    })();
  });
}

/** i8x16.shuffle of lanes 0, 2, 4, 6 of the eight f32 lanes of `a`, `b` (the even columns of a stride-2 row). */
function evens(f: Func, a: Expr, b: Expr): Expr {
  return () => {
    a();
    b();
    f.op(0xfd, 0x0d);
    for (const lane of [0, 2, 4, 6]) for (let k = 0; k < 4; k++) f.op(lane * 4 + k);
  };
}

/**
 * maxpool_f32(values, indices, src, p0, p1, c, sN, sC, sH, sW, ...geom): values (f32) and indices (i32) planes
 * [oh, ow] contiguous. Per output row the running max lives in the output itself, updated by one pass over the
 * window elements (ky, kx order, so each window sees its elements row-major): strictly greater values and NaNs
 * win, and the first in-bounds element always does (index -1 marks "none yet"). Four windows at a time with SIMD
 * where input rows are contiguous and the column stride is 1 or 2.
 */
function maxPoolKernel(m: ModuleBuilder): void {
  const names = ['values', 'indices', 'src', 'p0', 'p1', 'c', 'sN', 'sC', 'sH', 'sW'] as const;
  m.func('maxpool_f32', nParams(names), [], (f) => {
    const P = params(f, names);
    const { p, n, sp, vo, io, oy, ky, kx, iy, a, lo, hi, ox, ptr, here, vp, ip, step, rowi, n4 } = i32Locals(
      f,
      [
        'p',
        'n',
        'sp',
        'vo',
        'io',
        'oy',
        'ky',
        'kx',
        'iy',
        'a',
        'lo',
        'hi',
        'ox',
        'ptr',
        'here',
        'vp',
        'ip',
        'step',
        'rowi',
        'n4',
      ],
    );
    const v = f.local('f32');
    const b = f.local('f32');
    const at = f.local('i32');
    const vv = f.local('v128');
    const vb = f.local('v128');
    const vi = f.local('v128');
    const vh = f.local('v128');
    const vt = f.local('v128');
    const win = f.local('v128');
    f.emit(
      f.set(vo, f.add(f.get(P.values), f.shl(f.mul(f.get(P.p0), f.mul(f.get(P.oh), f.get(P.ow))), f.i32(2)))),
      f.set(
        io,
        f.add(f.get(P.indices), f.shl(f.mul(f.get(P.p0), f.mul(f.get(P.oh), f.get(P.ow))), f.i32(2))),
      ),
      f.set(step, f.mul(f.get(P.sW), f.get(P.sw))),
    );
    f.for_(p, f.get(P.p0), f.get(P.p1), 1, () => {
      f.emit(
        f.set(n, f.divU(f.get(p), f.get(P.c))),
        f.set(
          sp,
          f.add(
            f.get(P.src),
            f.add(
              f.mul(f.get(n), f.get(P.sN)),
              f.mul(f.sub(f.get(p), f.mul(f.get(n), f.get(P.c))), f.get(P.sC)),
            ),
          ),
        ),
      );
      f.for_(oy, f.i32(0), f.get(P.oh), 1, () => {
        // the row starts as "nothing seen": -inf, index -1
        f.for_(ox, f.i32(0), f.get(P.ow), 1, () =>
          f.emit(
            f.store('f32', f.add(f.get(vo), f.shl(f.get(ox), f.i32(2))), f.f32(Number.NEGATIVE_INFINITY)),
            f.store('i32', f.add(f.get(io), f.shl(f.get(ox), f.i32(2))), f.i32(-1)),
          ),
        )();
        f.for_(ky, f.i32(0), f.get(P.kh), 1, () => {
          f.set(
            iy,
            f.add(f.sub(f.mul(f.get(oy), f.get(P.sh)), f.get(P.pt)), f.mul(f.get(ky), f.get(P.dh))),
          )();
          f.if_(f.ltU(f.get(iy), f.get(P.h)), () => {
            f.set(rowi, f.mul(f.get(iy), f.get(P.w)))();
            f.for_(kx, f.i32(0), f.get(P.kw), 1, () => {
              f.set(a, f.sub(f.get(P.pl), f.mul(f.get(kx), f.get(P.dw))))();
              columnRange(f, P, a, lo, hi);
              f.emit(
                f.set(here, f.add(f.get(rowi), f.sub(f.mul(f.get(lo), f.get(P.sw)), f.get(a)))),
                f.set(
                  ptr,
                  f.add(
                    f.add(f.get(sp), f.mul(f.get(iy), f.get(P.sH))),
                    f.mul(f.sub(f.mul(f.get(lo), f.get(P.sw)), f.get(a)), f.get(P.sW)),
                  ),
                ),
                f.set(ox, f.get(lo)),
              );
              // four windows at a time: stride 1 loads them, stride 2 takes the even lanes of eight (the last
              // lane, one element past window ox+3's, is inside the row while window ox+4 is)
              const simdLoop = (stride: 1 | 2): void => {
                f.emit(
                  f.set(n4, f.sub(f.get(hi), f.i32(stride === 1 ? 3 : 4))),
                  f.set(
                    vh,
                    f.i32x4add(
                      f.i32splat(f.get(here)),
                      vconst(f, stride === 1 ? [0, 1, 2, 3] : [0, 2, 4, 6]),
                    ),
                  ),
                  f.set(vt, f.i32splat(f.i32(4 * stride))),
                );
                f.while_(f.ltS(f.get(ox), f.get(n4)), () =>
                  f.emit(
                    f.set(
                      vv,
                      stride === 1
                        ? f.load('v128', f.get(ptr))
                        : evens(f, f.load('v128', f.get(ptr)), f.load('v128', f.get(ptr), 16)),
                    ),
                    f.set(vp, f.add(f.get(vo), f.shl(f.get(ox), f.i32(2)))),
                    f.set(ip, f.add(f.get(io), f.shl(f.get(ox), f.i32(2)))),
                    f.set(vb, f.load('v128', f.get(vp))),
                    f.set(vi, f.load('v128', f.get(ip))),
                    f.set(
                      win,
                      f.vor(
                        f.vor(f.vcmp('gt', f.get(vv), f.get(vb)), f.vcmp('ne', f.get(vv), f.get(vv))),
                        f.i32x4shrS(f.get(vi), f.i32(31)),
                      ),
                    ),
                    f.store('v128', f.get(vp), f.vselect(f.get(vv), f.get(vb), f.get(win))),
                    f.store('v128', f.get(ip), f.vselect(f.get(vh), f.get(vi), f.get(win))),
                    f.set(vh, f.i32x4add(f.get(vh), f.get(vt))),
                    f.set(ox, f.add(f.get(ox), f.i32(4))),
                    f.set(here, f.add(f.get(here), f.i32(4 * stride))),
                    f.set(ptr, f.add(f.get(ptr), f.i32(16 * stride))),
                  ),
                )();
              };
              f.if_(f.eq(f.get(P.sW), f.i32(4)), () =>
                f.if_(
                  f.eq(f.get(P.sw), f.i32(1)),
                  () => simdLoop(1),
                  () => f.if_(f.eq(f.get(P.sw), f.i32(2)), () => simdLoop(2))(),
                )(),
              )();
              f.while_(f.ltS(f.get(ox), f.get(hi)), () =>
                f.emit(
                  f.set(vp, f.add(f.get(vo), f.shl(f.get(ox), f.i32(2)))),
                  f.set(ip, f.add(f.get(io), f.shl(f.get(ox), f.i32(2)))),
                  f.set(v, f.load('f32', f.get(ptr))),
                  f.set(b, f.load('f32', f.get(vp))),
                  f.set(at, f.load('i32', f.get(ip))),
                  f.if_(
                    f.or(
                      f.or(f.fcmp('gt', f.get(v), f.get(b)), f.fcmp('ne', f.get(v), f.get(v))),
                      f.ltS(f.get(at), f.i32(0)),
                    ),
                    () => f.emit(f.store('f32', f.get(vp), f.get(v)), f.store('i32', f.get(ip), f.get(here))),
                  ),
                  f.set(ox, f.add(f.get(ox), f.i32(1))),
                  f.set(here, f.add(f.get(here), f.get(P.sw))),
                  f.set(ptr, f.add(f.get(ptr), f.get(step))),
                ),
              )();
            })();
          })();
        })();
        f.emit(
          f.set(vo, f.add(f.get(vo), f.shl(f.get(P.ow), f.i32(2)))),
          f.set(io, f.add(f.get(io), f.shl(f.get(P.ow), f.i32(2)))),
        );
      })();
    })();
  });
}

/** An i32x4 constant (v128.const). */
function vconst(f: Func, lanes: readonly number[]): Expr {
  return () => {
    f.op(0xfd, 0x0c);
    for (const l of lanes) f.op(l & 255, (l >> 8) & 255, (l >> 16) & 255, (l >>> 24) & 255);
  };
}

/**
 * maxpool_bwd_f32(dst, grad, indices, p0, p1, c, gN, gC, gH, gW, iN, iC, iH, iW, ...geom): dst planes [h, w]
 * contiguous, zeroed, then dst[indices[i]] += grad[i] over the [oh, ow] plane in order.
 */
function maxPoolBackwardKernel(m: ModuleBuilder): void {
  const names = [
    'dst',
    'grad',
    'indices',
    'p0',
    'p1',
    'c',
    'gN',
    'gC',
    'gH',
    'gW',
    'iN',
    'iC',
    'iH',
    'iW',
  ] as const;
  m.func('maxpool_bwd_f32', nParams(names), [], (f) => {
    const P = params(f, names);
    const { p, n, ci, d, gp, ip, oy, ox, end, at } = i32Locals(f, [
      'p',
      'n',
      'ci',
      'd',
      'gp',
      'ip',
      'oy',
      'ox',
      'end',
      'at',
    ]);
    const plane = f.local('i32');
    f.set(plane, f.shl(f.mul(f.get(P.h), f.get(P.w)), f.i32(2)))();
    f.for_(p, f.get(P.p0), f.get(P.p1), 1, () => {
      f.emit(
        f.set(n, f.divU(f.get(p), f.get(P.c))),
        f.set(ci, f.sub(f.get(p), f.mul(f.get(n), f.get(P.c)))),
        f.set(d, f.add(f.get(P.dst), f.mul(f.get(p), f.get(plane)))),
        f.set(at, f.get(d)),
      );
      zeros(f, at, f.mul(f.get(P.h), f.get(P.w)), end)();
      f.for_(oy, f.i32(0), f.get(P.oh), 1, () => {
        f.emit(
          f.set(
            gp,
            f.add(
              f.add(f.get(P.grad), f.mul(f.get(n), f.get(P.gN))),
              f.add(f.mul(f.get(ci), f.get(P.gC)), f.mul(f.get(oy), f.get(P.gH))),
            ),
          ),
          f.set(
            ip,
            f.add(
              f.add(f.get(P.indices), f.mul(f.get(n), f.get(P.iN))),
              f.add(f.mul(f.get(ci), f.get(P.iC)), f.mul(f.get(oy), f.get(P.iH))),
            ),
          ),
        );
        f.for_(ox, f.i32(0), f.get(P.ow), 1, () =>
          f.emit(
            f.set(at, f.add(f.get(d), f.shl(f.load('i32', f.get(ip)), f.i32(2)))),
            f.store('f32', f.get(at), f.fadd(f.load('f32', f.get(at)), f.load('f32', f.get(gp)))),
            f.set(gp, f.add(f.get(gp), f.get(P.gW))),
            f.set(ip, f.add(f.get(ip), f.get(P.iW))),
          ),
        )();
      })();
    })();
  });
}

/**
 * Adds the window kernels (im2col_f32, col2im_f32, maxpool_f32, maxpool_bwd_f32) to the module.
 * @example windowKernels(m) // inside buildKernels
 */
export function windowKernels(m: ModuleBuilder): void {
  im2colKernel(m);
  col2imKernel(m);
  maxPoolKernel(m);
  maxPoolBackwardKernel(m);
}
