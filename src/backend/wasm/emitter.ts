/**
 * @file A small WebAssembly bytecode emitter: modules, functions, locals and structured control flow, written
 * from TypeScript at run time (no toolchain). Expressions are closures that push their code, so kernels read as trees.
 */

/** A value type: numbers, or SIMD128 vectors. @example const t: ValType = 'v128'; */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

const TYPE_CODE: { readonly [K in ValType]: number } = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
};

/** Code that leaves its value on the stack (or nothing, for statements). @example const e: Expr = f.i32(4); */
export type Expr = () => void;

/** A function-local variable (parameters come first). @example const i = f.local('i32'); */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  // v fits in 32 bits (i32) or is a safe integer (i64)
  for (;;) {
    const b = v & 0x7f;
    v = Math.floor(v / 128);
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const f32buf = new DataView(new ArrayBuffer(8));

/** Alignment exponent per access width in bytes. */
const ALIGN: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3, 16: 4 };

/**
 * One function being emitted: its code, locals and helpers for every instruction the kernels use.
 * @example m.func('add1', ['i32'], ['i32'], (f) => f.ret(f.add32(f.get(f.param(0)), f.i32(1))));
 */
/** A tuple of `N` values of `T`. @example const t: Tuple<number, 2> = [1, 2]; */
export type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N
  ? R
  : Tuple<T, N, [...R, T]>;

export class Func {
  /** The body's code (while a constant is hoisted, the prologue: see `hoisted`). */
  code: number[] = [];
  /** Code run once at entry, before `code`: the hoisted vector constants. */
  private readonly prologue: number[] = [];
  private readonly constants = new Map<string, Local>();
  private readonly locals: Local[] = [];
  private depth = 0;

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {
    for (const [index, type] of params.entries()) this.locals.push({ index, type });
  }

  /** The i-th parameter. */
  param(i: number): Local {
    return this.locals[i]!;
  }
  /** The first `n` parameters, to destructure. @example const [out, x, n] = f.paramLocals(3); */
  paramLocals<N extends number>(n: N): Tuple<Local, N> {
    return this.locals.slice(0, n) as Tuple<Local, N>;
  }
  /** A new local of `type` (zero-initialised). */
  local(type: ValType): Local {
    const l = { index: this.locals.length, type };
    this.locals.push(l);
    return l;
  }
  /** Body bytes: size, local declarations, prologue, code, end (native copies: this runs once per function, cold). */
  body(): Uint8Array {
    const head: number[] = [];
    const extra = this.locals.slice(this.params.length);
    uleb(head, extra.length);
    for (const l of extra) head.push(1, TYPE_CODE[l.type]);
    const n = head.length + this.prologue.length + this.code.length + 1;
    const size: number[] = [];
    uleb(size, n);
    return concatBytes([size, head, this.prologue, this.code, [0x0b]]);
  }

  // --- raw emission -------------------------------------------------------------------------------------------
  op(...bytes: number[]): void {
    for (const b of bytes) this.code.push(b);
  }
  private simd(opcode: number): void {
    this.code.push(0xfd);
    uleb(this.code, opcode);
  }
  private mem(align: number, offset: number): void {
    this.code.push(ALIGN[align]!);
    uleb(this.code, offset);
  }
  /** Emits each expression in order (statements). */
  emit(...es: Expr[]): void {
    for (const e of es) e();
  }

  // --- locals and constants -----------------------------------------------------------------------------------
  get(l: Local): Expr {
    return () => {
      this.code.push(0x20);
      uleb(this.code, l.index);
    };
  }
  set(l: Local, e: Expr): Expr {
    return () => {
      e();
      this.code.push(0x21);
      uleb(this.code, l.index);
    };
  }
  tee(l: Local, e: Expr): Expr {
    return () => {
      e();
      this.code.push(0x22);
      uleb(this.code, l.index);
    };
  }
  i32(v: number): Expr {
    return () => {
      this.code.push(0x41);
      sleb(this.code, v | 0);
    };
  }
  f32(v: number): Expr {
    return () => {
      f32buf.setFloat32(0, v, true);
      this.code.push(0x43, f32buf.getUint8(0), f32buf.getUint8(1), f32buf.getUint8(2), f32buf.getUint8(3));
    };
  }
  f64(v: number): Expr {
    return () => {
      f32buf.setFloat64(0, v, true);
      this.code.push(0x44);
      for (let i = 0; i < 8; i++) this.code.push(f32buf.getUint8(i));
    };
  }

  // --- generic helpers ----------------------------------------------------------------------------------------
  private bin(opcode: number, a: Expr, b: Expr): Expr {
    return () => {
      a();
      b();
      this.code.push(opcode);
    };
  }
  private un(opcode: number, a: Expr): Expr {
    return () => {
      a();
      this.code.push(opcode);
    };
  }
  private vbin(opcode: number, a: Expr, b: Expr): Expr {
    return () => {
      a();
      b();
      this.simd(opcode);
    };
  }
  private vun(opcode: number, a: Expr): Expr {
    return () => {
      a();
      this.simd(opcode);
    };
  }

  // --- i32 ----------------------------------------------------------------------------------------------------
  add(a: Expr, b: Expr): Expr {
    return this.bin(0x6a, a, b);
  }
  sub(a: Expr, b: Expr): Expr {
    return this.bin(0x6b, a, b);
  }
  mul(a: Expr, b: Expr): Expr {
    return this.bin(0x6c, a, b);
  }
  divU(a: Expr, b: Expr): Expr {
    return this.bin(0x6e, a, b);
  }
  and(a: Expr, b: Expr): Expr {
    return this.bin(0x71, a, b);
  }
  or(a: Expr, b: Expr): Expr {
    return this.bin(0x72, a, b);
  }
  xor(a: Expr, b: Expr): Expr {
    return this.bin(0x73, a, b);
  }
  shl(a: Expr, b: Expr): Expr {
    return this.bin(0x74, a, b);
  }
  shrU(a: Expr, b: Expr): Expr {
    return this.bin(0x76, a, b);
  }
  eqz(a: Expr): Expr {
    return this.un(0x45, a);
  }
  eq(a: Expr, b: Expr): Expr {
    return this.bin(0x46, a, b);
  }
  ne(a: Expr, b: Expr): Expr {
    return this.bin(0x47, a, b);
  }
  ltS(a: Expr, b: Expr): Expr {
    return this.bin(0x48, a, b);
  }
  ltU(a: Expr, b: Expr): Expr {
    return this.bin(0x49, a, b);
  }
  geS(a: Expr, b: Expr): Expr {
    return this.bin(0x4e, a, b);
  }
  gtS(a: Expr, b: Expr): Expr {
    return this.bin(0x4a, a, b);
  }
  leS(a: Expr, b: Expr): Expr {
    return this.bin(0x4c, a, b);
  }
  minS(a: Expr, b: Expr): Expr {
    // select(a, b, a < b)
    return () => {
      a();
      b();
      a();
      b();
      this.code.push(0x48, 0x1b);
    };
  }
  select(a: Expr, b: Expr, cond: Expr): Expr {
    return () => {
      a();
      b();
      cond();
      this.code.push(0x1b);
    };
  }

  // --- memory (addresses are i32 byte offsets; `off` is the static offset) ------------------------------------
  load(type: ValType, addr: Expr, off = 0): Expr {
    return () => {
      addr();
      switch (type) {
        case 'i32':
          this.code.push(0x28);
          return this.mem(4, off);
        case 'i64':
          this.code.push(0x29);
          return this.mem(8, off);
        case 'f32':
          this.code.push(0x2a);
          return this.mem(4, off);
        case 'f64':
          this.code.push(0x2b);
          return this.mem(8, off);
        case 'v128':
          this.simd(0x00);
          return this.mem(16, off);
        default:
          return type satisfies never;
      }
    };
  }
  load8(addr: Expr, off = 0): Expr {
    return () => {
      addr();
      this.code.push(0x2d);
      this.mem(1, off);
    };
  }
  store(type: ValType, addr: Expr, value: Expr, off = 0): Expr {
    return () => {
      addr();
      value();
      switch (type) {
        case 'i32':
          this.code.push(0x36);
          return this.mem(4, off);
        case 'i64':
          this.code.push(0x37);
          return this.mem(8, off);
        case 'f32':
          this.code.push(0x38);
          return this.mem(4, off);
        case 'f64':
          this.code.push(0x39);
          return this.mem(8, off);
        case 'v128':
          this.simd(0x0b);
          return this.mem(16, off);
        default:
          return type satisfies never;
      }
    };
  }
  store8(addr: Expr, value: Expr, off = 0): Expr {
    return () => {
      addr();
      value();
      this.code.push(0x3a);
      this.mem(1, off);
    };
  }
  /** v128.load32_splat: one f32 from memory in all four lanes. */
  loadSplat(addr: Expr, off = 0): Expr {
    return () => {
      addr();
      this.simd(0x09);
      this.mem(4, off);
    };
  }
  /** memory.fill(dst, byte, n). */
  memFill(dst: Expr, byte: Expr, n: Expr): Expr {
    return () => {
      dst();
      byte();
      n();
      this.code.push(0xfc);
      uleb(this.code, 11);
      this.code.push(0);
    };
  }
  /** memory.copy(dst, src, n). */
  memCopy(dst: Expr, src: Expr, n: Expr): Expr {
    return () => {
      dst();
      src();
      n();
      this.code.push(0xfc);
      uleb(this.code, 10);
      this.code.push(0, 0);
    };
  }

  // --- f32 / f64 scalars --------------------------------------------------------------------------------------
  fadd(a: Expr, b: Expr): Expr {
    return this.bin(0x92, a, b);
  }
  fsub(a: Expr, b: Expr): Expr {
    return this.bin(0x93, a, b);
  }
  fmul(a: Expr, b: Expr): Expr {
    return this.bin(0x94, a, b);
  }
  fdiv(a: Expr, b: Expr): Expr {
    return this.bin(0x95, a, b);
  }
  fmin(a: Expr, b: Expr): Expr {
    return this.bin(0x96, a, b);
  }
  fmax(a: Expr, b: Expr): Expr {
    return this.bin(0x97, a, b);
  }
  dadd(a: Expr, b: Expr): Expr {
    return this.bin(0xa0, a, b);
  }
  dsub(a: Expr, b: Expr): Expr {
    return this.bin(0xa1, a, b);
  }
  dmul(a: Expr, b: Expr): Expr {
    return this.bin(0xa2, a, b);
  }
  dmax(a: Expr, b: Expr): Expr {
    return this.bin(0xa5, a, b);
  }
  dmin(a: Expr, b: Expr): Expr {
    return this.bin(0xa4, a, b);
  }
  /** f32 comparison ('eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge') giving an i32 0/1. */
  fcmp(op: 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge', a: Expr, b: Expr): Expr {
    return this.bin({ eq: 0x5b, ne: 0x5c, lt: 0x5d, gt: 0x5e, le: 0x5f, ge: 0x60 }[op], a, b);
  }
  promote(a: Expr): Expr {
    return this.un(0xbb, a);
  }
  demote(a: Expr): Expr {
    return this.un(0xb6, a);
  }
  f32FromI32(a: Expr): Expr {
    return this.un(0xb2, a);
  }
  f64FromI32(a: Expr): Expr {
    return this.un(0xb7, a);
  }
  /** i32.trunc_sat_f32_s. */
  i32FromF32(a: Expr): Expr {
    return () => {
      a();
      this.code.push(0xfc, 0x00);
    };
  }
  /** i32.trunc_sat_f64_s. */
  i32FromF64(a: Expr): Expr {
    return () => {
      a();
      this.code.push(0xfc, 0x02);
    };
  }
  /** A raw scalar opcode applied to `args` (for the long tail: f32.sqrt, f32.floor...). */
  raw(opcode: number, ...args: Expr[]): Expr {
    return () => {
      for (const a of args) a();
      this.code.push(opcode);
    };
  }

  // --- SIMD128 (f32x4 unless named otherwise) ----------------------------------------------------------------
  /**
   * A splatted constant, computed once at function entry into a local. Inside loops this matters: V8 rebuilds an
   * inline `f32.const + splat` on every iteration (three instructions), while a local stays in a register or is a
   * memory operand.
   */
  constF32x4(v: number): Expr {
    return this.hoisted(`f${Object.is(v, -0) ? '-0' : v}`, () => this.splat(this.f32(v))());
  }
  /** An i32x4 splatted constant, hoisted like `constF32x4`. */
  constI32x4(v: number): Expr {
    return this.hoisted(`i${v | 0}`, () => this.i32splat(this.i32(v | 0))());
  }
  private hoisted(key: string, emit: () => void): Expr {
    let l = this.constants.get(key);
    if (!l) {
      l = this.local('v128');
      this.constants.set(key, l);
      const body = this.code;
      this.code = this.prologue; // emit into the prologue meanwhile
      emit();
      this.code.push(0x21);
      uleb(this.code, l.index);
      this.code = body;
    }
    return this.get(l);
  }
  splat(a: Expr): Expr {
    return this.vun(0x13, a);
  }
  i32splat(a: Expr): Expr {
    return this.vun(0x11, a);
  }
  vadd(a: Expr, b: Expr): Expr {
    return this.vbin(0xe4, a, b);
  }
  vsub(a: Expr, b: Expr): Expr {
    return this.vbin(0xe5, a, b);
  }
  vmul(a: Expr, b: Expr): Expr {
    return this.vbin(0xe6, a, b);
  }
  vdiv(a: Expr, b: Expr): Expr {
    return this.vbin(0xe7, a, b);
  }
  vmin(a: Expr, b: Expr): Expr {
    return this.vbin(0xe8, a, b);
  }
  vmax(a: Expr, b: Expr): Expr {
    return this.vbin(0xe9, a, b);
  }
  /** f32x4.pmin: `b < a ? b : a` per lane (one instruction, unlike min's NaN rules). */
  vpmin(a: Expr, b: Expr): Expr {
    return this.vbin(0xea, a, b);
  }
  /** f32x4.pmax: `a < b ? b : a` per lane. */
  vpmax(a: Expr, b: Expr): Expr {
    return this.vbin(0xeb, a, b);
  }
  vabs(a: Expr): Expr {
    return this.vun(0xe0, a);
  }
  vneg(a: Expr): Expr {
    return this.vun(0xe1, a);
  }
  vsqrt(a: Expr): Expr {
    return this.vun(0xe3, a);
  }
  vceil(a: Expr): Expr {
    return this.vun(0x67, a);
  }
  vfloor(a: Expr): Expr {
    return this.vun(0x68, a);
  }
  vtrunc(a: Expr): Expr {
    return this.vun(0x69, a);
  }
  vnearest(a: Expr): Expr {
    return this.vun(0x6a, a);
  }
  /** Lane-wise f32 comparison giving an all-ones / all-zeros mask. */
  vcmp(op: 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge', a: Expr, b: Expr): Expr {
    return this.vbin({ eq: 0x41, ne: 0x42, lt: 0x43, gt: 0x44, le: 0x45, ge: 0x46 }[op], a, b);
  }
  vand(a: Expr, b: Expr): Expr {
    return this.vbin(0x4e, a, b);
  }
  /** v128.andnot: `a & ~b`. */
  vandnot(a: Expr, b: Expr): Expr {
    return this.vbin(0x4f, a, b);
  }
  vor(a: Expr, b: Expr): Expr {
    return this.vbin(0x50, a, b);
  }
  vxor(a: Expr, b: Expr): Expr {
    return this.vbin(0x51, a, b);
  }
  /** v128.bitselect: bits of `a` where `mask` is set, else of `b`. */
  vselect(a: Expr, b: Expr, mask: Expr): Expr {
    return () => {
      a();
      b();
      mask();
      this.simd(0x52);
    };
  }
  i32x4add(a: Expr, b: Expr): Expr {
    return this.vbin(0xae, a, b);
  }
  i32x4sub(a: Expr, b: Expr): Expr {
    return this.vbin(0xb1, a, b);
  }
  i32x4shl(a: Expr, b: Expr): Expr {
    return this.vbin(0xab, a, b);
  }
  i32x4shrU(a: Expr, b: Expr): Expr {
    return this.vbin(0xad, a, b);
  }
  i32x4shrS(a: Expr, b: Expr): Expr {
    return this.vbin(0xac, a, b);
  }
  /** i32x4.trunc_sat_f32x4_s. */
  vToI32(a: Expr): Expr {
    return this.vun(0xf8, a);
  }
  /** f32x4.convert_i32x4_s. */
  vFromI32(a: Expr): Expr {
    return this.vun(0xfa, a);
  }
  /** f64x2.promote_low_f32x4. */
  vPromoteLow(a: Expr): Expr {
    return this.vun(0x5f, a);
  }
  /** Lanes 2,3 moved to 0,1 (for promoting the high half). */
  vHigh(a: Expr): Expr {
    return () => {
      a();
      a();
      this.simd(0x0d);
      for (let i = 8; i < 16; i++) this.code.push(i);
      for (let i = 8; i < 16; i++) this.code.push(i);
    };
  }
  /** i8x16.shuffle by 32-bit lanes: lane i of the result is lane `lanes[i]` of a‖b (0-3 from a, 4-7 from b). */
  vshuffle32(a: Expr, b: Expr, lanes: readonly [number, number, number, number]): Expr {
    return () => {
      a();
      b();
      this.simd(0x0d);
      for (const l of lanes) for (let i = 0; i < 4; i++) this.code.push(4 * l + i);
    };
  }
  /** f64x2.add. */
  dvadd(a: Expr, b: Expr): Expr {
    return this.vbin(0xf0, a, b);
  }
  /** f32x4.extract_lane. */
  lane(a: Expr, i: number): Expr {
    return () => {
      a();
      this.simd(0x1f);
      this.code.push(i);
    };
  }
  /** f64x2.extract_lane. */
  dlane(a: Expr, i: number): Expr {
    return () => {
      a();
      this.simd(0x21);
      this.code.push(i);
    };
  }
  /** f32x4.relaxed_madd a*b + c (only where the runtime validated relaxed SIMD). */
  vmadd(a: Expr, b: Expr, c: Expr): Expr {
    return () => {
      a();
      b();
      c();
      this.simd(0x105);
    };
  }
  vzero(): Expr {
    return () => {
      this.simd(0x0c);
      for (let i = 0; i < 16; i++) this.code.push(0);
    };
  }

  // --- control flow -------------------------------------------------------------------------------------------
  /** `if (cond) then() [else otherwise()]` as a statement. */
  if_(cond: Expr, then: () => void, otherwise?: () => void): Expr {
    return () => {
      cond();
      this.code.push(0x04, 0x40);
      this.depth++;
      then();
      if (otherwise) {
        this.code.push(0x05);
        otherwise();
      }
      this.code.push(0x0b);
      this.depth--;
    };
  }
  /** A block one can `br` out of: `body(exitDepth)`; use `brIf(exit, cond)` inside. */
  block(body: (exit: number) => void): Expr {
    return () => {
      this.code.push(0x02, 0x40);
      this.depth++;
      body(this.depth);
      this.code.push(0x0b);
      this.depth--;
    };
  }
  /** Branch out of the block (or back to the loop) opened at `target` depth if `cond` holds. */
  brIf(target: number, cond: Expr): Expr {
    return () => {
      cond();
      this.code.push(0x0d);
      uleb(this.code, this.depth - target);
    };
  }
  /**
   * `for (i = start; i < end; i += step) body()` with i32 values; `end` is re-evaluated each iteration, so pass a local.
   */
  for_(i: Local, start: Expr, end: Expr, step: number | Expr, body: () => void): Expr {
    const inc = typeof step === 'number' ? this.i32(step) : step;
    return () => {
      this.set(i, start)();
      this.code.push(0x02, 0x40);
      this.depth++;
      const exit = this.depth;
      this.brIf(exit, this.geS(this.get(i), end))();
      this.code.push(0x03, 0x40);
      this.depth++;
      const top = this.depth;
      body();
      this.set(i, this.add(this.get(i), inc))();
      this.brIf(top, this.ltS(this.get(i), end))();
      this.code.push(0x0b);
      this.depth--;
      this.code.push(0x0b);
      this.depth--;
      void exit;
    };
  }
  /** `while (cond()) body()`. */
  while_(cond: Expr, body: () => void): Expr {
    return () => {
      this.code.push(0x02, 0x40);
      this.depth++;
      const exit = this.depth;
      this.brIf(exit, this.eqz(cond))();
      this.code.push(0x03, 0x40);
      this.depth++;
      const top = this.depth;
      body();
      this.brIf(top, cond)();
      this.code.push(0x0b);
      this.depth--;
      this.code.push(0x0b);
      this.depth--;
    };
  }
  /** Calls function `index` of the module with `args`. */
  call(index: number, ...args: Expr[]): Expr {
    return () => {
      for (const a of args) a();
      this.code.push(0x10);
      uleb(this.code, index);
    };
  }
  /** Returns from the function with `value`. */
  ret(value?: Expr): Expr {
    return () => {
      value?.();
      this.code.push(0x0f);
    };
  }
}

/**
 * A module that imports one memory ('env', 'memory') and exports every function it defines.
 * @example const m = new ModuleBuilder({ shared: false, initialPages: 1, maximumPages: 10 });
 */
export class ModuleBuilder {
  readonly funcs: Func[] = [];
  constructor(readonly memory: { shared: boolean; initialPages: number; maximumPages: number }) {}

  /** Adds a function; `build` emits its body. Returns its index (for `call`). */
  func(
    name: string,
    params: readonly ValType[],
    results: readonly ValType[],
    build: (f: Func) => void,
  ): number {
    const f = new Func(name, params, results);
    const index = this.funcs.length;
    this.funcs.push(f);
    build(f);
    return index;
  }
  /** Declares a function to define later (for calls before the callee exists). */
  declare(name: string, params: readonly ValType[], results: readonly ValType[]): Func {
    const f = new Func(name, params, results);
    this.funcs.push(f);
    return f;
  }
  /** Index of a declared function. */
  indexOf(f: Func): number {
    return this.funcs.indexOf(f);
  }

  /** The module's binary. */
  toBytes(): Uint8Array {
    const chunks: ArrayLike<number>[] = [[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]];
    const section = (id: number, parts: ArrayLike<number>[]): void => {
      const head = [id];
      uleb(
        head,
        parts.reduce((n, p) => n + p.length, 0),
      );
      chunks.push(head, ...parts);
    };
    const name = (s: string, into: number[]): void => {
      const bytes = new TextEncoder().encode(s);
      uleb(into, bytes.length);
      for (const b of bytes) into.push(b);
    };
    // types: one per function (duplicates are allowed)
    const types: number[] = [];
    uleb(types, this.funcs.length);
    for (const f of this.funcs) {
      types.push(0x60);
      uleb(types, f.params.length);
      for (const p of f.params) types.push(TYPE_CODE[p]);
      uleb(types, f.results.length);
      for (const r of f.results) types.push(TYPE_CODE[r]);
    }
    section(1, [types]);
    const imports: number[] = [1];
    name('env', imports);
    name('memory', imports);
    const m = this.memory;
    imports.push(0x02, m.shared ? 0x03 : 0x01);
    uleb(imports, m.initialPages);
    uleb(imports, m.maximumPages);
    section(2, [imports]);
    const fnSec: number[] = [];
    uleb(fnSec, this.funcs.length);
    for (let i = 0; i < this.funcs.length; i++) uleb(fnSec, i);
    section(3, [fnSec]);
    const exp: number[] = [];
    uleb(exp, this.funcs.length);
    this.funcs.forEach((f, i) => {
      name(f.name, exp);
      exp.push(0x00);
      uleb(exp, i);
    });
    section(7, [exp]);
    const count: number[] = [];
    uleb(count, this.funcs.length);
    section(10, [count, ...this.funcs.map((f) => f.body())]);
    return concatBytes(chunks);
  }
}

/** One Uint8Array of several byte lists, copied natively. */
function concatBytes(parts: readonly ArrayLike<number>[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Whether this runtime validates WebAssembly SIMD128 (and, separately, relaxed-SIMD FMA).
 * @example simdSupport().simd // true on Node 20 and current browsers
 */
export function simdSupport(): { simd: boolean; relaxed: boolean } {
  if (typeof WebAssembly === 'undefined') return { simd: false, relaxed: false };
  // (func (result v128) v128.const 0 [f32x4.relaxed_madd of three zeros])
  const mod = (relaxed: boolean): Uint8Array => {
    const body = [0x00, 0xfd, 0x0c, ...new Array(16).fill(0)];
    if (relaxed)
      body.push(0xfd, 0x0c, ...new Array(16).fill(0), 0xfd, 0x0c, ...new Array(16).fill(0), 0xfd, 0x85, 0x02);
    body.push(0x0b);
    return new Uint8Array([
      0x00,
      0x61,
      0x73,
      0x6d,
      0x01,
      0x00,
      0x00,
      0x00,
      0x01,
      0x05,
      0x01,
      0x60,
      0x00,
      0x01,
      0x7b,
      0x03,
      0x02,
      0x01,
      0x00,
      0x0a,
      body.length + 2,
      0x01,
      body.length,
      ...body,
    ]);
  };
  return {
    simd: WebAssembly.validate(mod(false) as BufferSource),
    relaxed: WebAssembly.validate(mod(true) as BufferSource),
  };
}
