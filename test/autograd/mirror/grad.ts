/**
 * @file Mirrors of the autograd.grad, custom Function, gradcheck, jacobian/hessian and anomaly scenarios of
 * scripts/fixtures/autograd.py.
 */
import * as torch from '../../../src/index.js';
import { err, f32, f64, flags, type Mirror, node } from '../helpers.js';

type Tensor = torch.Tensor;
type Ctx = torch.autograd.FunctionCtx;
const { jacobian, hessian } = torch.autograd.functional;

class MyExp extends torch.autograd.Function {
  static override forward(ctx: Ctx, x: Tensor): Tensor {
    const r = x.exp();
    ctx.saveForBackward(r);
    return r;
  }
  static override backward(ctx: Ctx, g: Tensor): Tensor {
    const [r] = ctx.savedTensors;
    return g.mul(r!);
  }
}

class MulConst extends torch.autograd.Function {
  static override forward(ctx: Ctx & { c?: number }, x: Tensor, c: number): Tensor {
    ctx.c = c;
    return x.mul(c);
  }
  static override backward(ctx: Ctx & { c?: number }, g: Tensor): [Tensor, null] {
    return [g.mul(ctx.c!), null];
  }
}

class TwoOut extends torch.autograd.Function {
  static override forward(_ctx: Ctx, x: Tensor): [Tensor, Tensor] {
    return [x.mul(2), x.mul(3)];
  }
  static override backward(_ctx: Ctx, g1: Tensor, g2: Tensor): Tensor {
    return g1.mul(2).add(g2.mul(3));
  }
}

class TwoOutNoMaterialize extends torch.autograd.Function {
  static seen: boolean[] = [];
  static override forward(ctx: Ctx, x: Tensor): [Tensor, Tensor] {
    ctx.setMaterializeGrads(false);
    return [x.mul(2), x.mul(3)];
  }
  static override backward(_ctx: Ctx, g1: Tensor | null, g2: Tensor | null): Tensor {
    TwoOutNoMaterialize.seen = [g1 === null, g2 === null];
    let r = torch.zerosLike((g1 ?? g2)!);
    if (g1 !== null) r = r.add(g1.mul(2));
    if (g2 !== null) r = r.add(g2.mul(3));
    return r;
  }
}

class WithSign extends torch.autograd.Function {
  static seen: Tensor | null = null;
  static override forward(ctx: Ctx, x: Tensor): [Tensor, Tensor] {
    const s = x.sign();
    ctx.markNonDifferentiable(s);
    return [x.mul(2), s];
  }
  static override backward(_ctx: Ctx, g: Tensor, gs: Tensor): Tensor {
    WithSign.seen = gs;
    return g.mul(2);
  }
}

class WrongCount extends torch.autograd.Function {
  static override forward(_ctx: Ctx, x: Tensor, y: Tensor): Tensor {
    return x.mul(y);
  }
  static override backward(_ctx: Ctx, g: Tensor): [Tensor] {
    return [g];
  }
}

class WrongShape extends torch.autograd.Function {
  static override forward(_ctx: Ctx, x: Tensor): Tensor {
    return x.mul(2);
  }
  static override backward(): Tensor {
    return torch.ones(3);
  }
}

class GradForConstant extends torch.autograd.Function {
  static override forward(_ctx: Ctx, x: Tensor, c: number): Tensor {
    return x.mul(c);
  }
  static override backward(_ctx: Ctx, g: Tensor): [Tensor, Tensor] {
    return [g.mul(2), torch.ones(1)];
  }
}

class DoubleInPlace extends torch.autograd.Function {
  static override forward(ctx: Ctx, x: Tensor): Tensor {
    x.mul_(2);
    ctx.markDirty(x);
    return x;
  }
  static override backward(_ctx: Ctx, g: Tensor): Tensor {
    return g.mul(2);
  }
}

class Cube extends torch.autograd.Function {
  static override forward(ctx: Ctx, x: Tensor): Tensor {
    ctx.saveForBackward(x);
    return x.pow(3);
  }
  static override backward(ctx: Ctx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return g.mul(3).mul(x!.pow(2));
  }
}

class Identity extends torch.autograd.Function {
  static override forward(_ctx: Ctx, x: Tensor): Tensor {
    return x;
  }
  static override backward(_ctx: Ctx, g: Tensor): Tensor {
    return g.mul(2);
  }
}

class Wrong extends torch.autograd.Function {
  static override forward(_ctx: Ctx, t: Tensor): Tensor {
    return t.mul(2);
  }
  static override backward(_ctx: Ctx, g: Tensor): Tensor {
    return g.mul(3);
  }
}

export { MyExp };

export const gradMirrors: Record<string, Mirror> = {
  autograd_grad_basic() {
    const x = f32([1, 2], true);
    const y = f32([3, 4], true);
    const [dx, dy] = torch.autograd.grad(x.mul(y).sum(), [x, y]);
    return { dx, dy, xGrad: x.grad, dxRequiresGrad: dx!.requiresGrad };
  },
  autograd_grad_allow_unused() {
    const x = f32([1, 2], true);
    const z = f32([3], true);
    const got = torch.autograd.grad(x.mul(2).sum(), [x, z], { allowUnused: true });
    const e = err(() => torch.autograd.grad(x.mul(2).sum(), [x, z]));
    return { got, error: e };
  },
  autograd_grad_outputs() {
    const x = f32([1, 2, 3], true);
    const y = x.mul(x);
    const [g] = torch.autograd.grad(y, x, { gradOutputs: f32([1, 0.5, 0.25]) });
    const e = err(() => torch.autograd.grad(x.mul(x), x));
    return { g, error: e };
  },
  autograd_grad_nonleaf_input() {
    const x = f32([1, 2], true);
    const y = x.mul(2);
    const z = y.pow(2).sum();
    const [gy] = torch.autograd.grad(z, y, { retainGraph: true });
    const [gx, gy2] = torch.autograd.grad(z, [x, y]);
    return { gy, gx, gy2, xGrad: x.grad };
  },
  autograd_grad_errors() {
    const x = f32([1, 2], true);
    const y = x.mul(x).sum();
    torch.autograd.grad(y, x);
    return {
      secondTime: err(() => torch.autograd.grad(y, x)),
      notRequiringGrad: err(() => torch.autograd.grad(x.mul(2).sum(), torch.ones(2))),
    };
  },
  gradient_penalty() {
    const x = f32(
      [
        [1, 2],
        [3, -1],
      ],
      true,
    );
    const w = f32(
      [
        [0.5, -1],
        [2, 1.5],
      ],
      true,
    );
    const out = x.matmul(w).tanh().sum();
    const [g] = torch.autograd.grad(out, x, { createGraph: true });
    const pen = g!.norm().sub(1).pow(2);
    pen.backward();
    return { g, pen, w: w.grad, x: x.grad };
  },
  hessian_vector_product() {
    const x = f64([1, 2, 3], true);
    const v = f64([1, 0, -1]);
    const f = x
      .pow(2)
      .mul(torch.cat([x.narrow(0, 2, 1), x.narrow(0, 0, 2)]))
      .sum();
    const [g] = torch.autograd.grad(f, x, { createGraph: true });
    const [hv] = torch.autograd.grad(g!, x, { gradOutputs: v });
    return { g, hv };
  },

  autograd_grad_edge_cases() {
    const x = f32([1, 2], true);
    const z = f32([3], true);
    const twice = torch.autograd.grad(x.mul(x).sum(), [x, x]);
    const identity = torch.autograd.grad(x, x, { gradOutputs: torch.ones(2) });
    x.mul(2)
      .sum()
      .backward(null, { inputs: [z] });
    return { twice, identity, unrelatedInput: [z.grad, x.grad] };
  },
  hooks_called_once() {
    const calls: unknown[] = [];
    const x = f32([1, 2, 3], true);
    const y = x.mul(2);
    y.registerHook((g) => void calls.push(['y', g.tolist()]));
    y.mul(y).add(y).sum().backward();
    x.registerHook((g) => void calls.push(['x', g.tolist()]));
    x.mul(x).add(x).sum().backward();
    return { calls };
  },
  misc_errors() {
    const x = f32([1, 2], true);
    const y = x.mul(2);
    const z = torch.inferenceMode(() => x.mul(2));
    const c = Cube.apply(x);
    c.sum().backward();
    return {
      setRequiresGradNonLeaf: err(() => {
        y.requiresGrad = false;
      }),
      backwardInference: err(() => z.sum().backward()),
      customTwice: err(() => c.sum().backward()),
    };
  },

  // custom Functions
  custom_function_exp() {
    const x = f32([0, 1], true);
    const y = MyExp.apply(x);
    const g = node(y.gradFn, { x }, 1);
    y.sum().backward();
    return { y, graph: g, grad: x.grad, flags: flags(y) };
  },
  custom_function_nontensor_args() {
    const x = f32([1, 2], true);
    const y = MulConst.apply(x, 3);
    let needs: boolean[] = [];
    class Capture extends MulConst {
      static override forward(ctx: Ctx & { c?: number }, x: Tensor, c: number): Tensor {
        needs = [...ctx.needsInputGrad];
        return MulConst.forward(ctx, x, c);
      }
    }
    Capture.apply(x, 2);
    y.sum().backward();
    return { y, grad: x.grad, needs, graph: node(y.gradFn, { x }, 1) };
  },
  custom_function_two_outputs() {
    const x = f32([1, 2], true);
    const [a, b] = TwoOut.apply(x);
    a.sum().backward();
    const first = x.grad!.clone();
    const [c, d] = TwoOut.apply(x);
    c.add(d).sum().backward();
    const x2 = f32([1, 2], true);
    const [e] = TwoOutNoMaterialize.apply(x2);
    e.sum().backward();
    return {
      first,
      both: x.grad,
      noMaterialize: x2.grad,
      seenNone: TwoOutNoMaterialize.seen,
      outNrs: [a.gradFn === b.gradFn],
    };
  },
  custom_function_non_differentiable() {
    const x = f32([3, -1, 2], true);
    const [values, sign] = WithSign.apply(x);
    values
      .mul(f32([1, 10, 100]))
      .sum()
      .backward();
    return {
      values: flags(values),
      sign: flags(sign),
      signValue: sign,
      grad: x.grad,
      gradOfNonDiff: WithSign.seen,
    };
  },
  custom_function_errors() {
    const x = f32([1, 2], true);
    const y = f32([3, 4], true);
    const wrong = err(() => WrongCount.apply(x, y).sum().backward());
    const a = x.mul(1);
    const out = Cube.apply(a);
    a.mul_(2);
    const modified = err(() => out.sum().backward());
    const wrongShape = err(() => WrongShape.apply(x).sum().backward());
    const nonTensorGrad = err(() => GradForConstant.apply(x, 2).sum().backward());
    return { wrongCount: wrong, savedModified: modified, wrongShape, nonTensorGrad };
  },
  custom_function_mark_dirty() {
    const x = f32([1, 2], true);
    const y = x.mul(1);
    const z = DoubleInPlace.apply(y);
    const out: Record<string, unknown> = {
      same: z === y,
      flags: flags(y),
      version: y.version,
      graph: node(y.gradFn, { x }, 2),
    };
    y.mul(y).sum().backward();
    out.grad = x.grad;
    x.grad = null;
    const w = x.mul(1);
    DoubleInPlace.apply(w.select(0, 1));
    out.view = { base: node(w.gradFn, { x }, 2), w };
    w.mul(f32([1, 10]))
      .sum()
      .backward();
    out.viewGrad = x.grad;
    const leaf = f32([1, 2], true);
    out.leaf = err(() => DoubleInPlace.apply(leaf));
    const plain = f32([1, 2]);
    out.plain = [DoubleInPlace.apply(plain), flags(plain), plain.version];
    return out;
  },
  custom_function_double_backward() {
    const x = f64([1, 2], true);
    const y = Cube.apply(x);
    const [g] = torch.autograd.grad(y.sum(), x, { createGraph: true });
    const [g2] = torch.autograd.grad(g!.sum(), x);
    return { g, g2 };
  },
  custom_function_returns_input() {
    const x = f32([1, 2], true);
    const y = Identity.apply(x);
    y.sum().backward();
    return { flags: flags(y), xFlags: flags(x), grad: x.grad };
  },
  custom_function_no_grad_input() {
    const x = f32([1, 2]);
    const y = MyExp.apply(x);
    return { flags: flags(y), y };
  },
  gradcheck_results() {
    const x = f64([0.3, -0.7, 1.2], true);
    const ok = torch.autograd.gradcheck((t: Tensor) => t.sin().mul(t.exp()).sum(), [x]);
    const ok2 = torch.autograd.gradcheck((t: Tensor) => MyExp.apply(t), [x]);
    const ok3 = torch.autograd.gradgradcheck((t: Tensor) => t.pow(3), [x]);
    const bad = torch.autograd.gradcheck((t: Tensor) => Wrong.apply(t), [x], { raiseException: false });
    const e = err(() => torch.autograd.gradcheck((t: Tensor) => Wrong.apply(t), [x]));
    return { ok, ok2, ok3, bad, error: e };
  },

  // functional
  jacobian_values() {
    const x = f64([1, 2, 3]);
    const y = f64([0.5, -1, 2]);
    const A = f64([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const Q = f64([
      [1, 2, 0],
      [0, 3, 1],
      [4, 0, 1],
    ]);
    const head = (t: Tensor) => t.narrow(0, 0, 2);
    return {
      square: jacobian((t) => t.pow(2), x),
      matvec: jacobian((t) => A.matmul(t), x),
      scalarOut: jacobian((t) => t.pow(2).sum(), x),
      matrixIn: jacobian((t) => t.sum(0), A),
      twoInputs: jacobian((a, b) => a.mul(b).add(b.exp()), [x, y]),
      unusedInput: jacobian((a) => a.mul(2), [x, y]),
      constant: jacobian(() => torch.ones(2, { dtype: torch.float64 }), x),
      hessCubic: hessian((t) => t.pow(3).sum(), x),
      hessQuadratic: hessian((t) => t.matmul(Q).matmul(t), x),
      hessRosenbrock: hessian(
        (t) =>
          t
            .narrow(0, 1, 2)
            .sub(head(t).pow(2))
            .pow(2)
            .mul(100)
            .add(torch.sub(1, head(t)).pow(2))
            .sum(),
        x,
      ),
      hessMatrixIn: hessian(
        (t) => t.pow(2).prod(),
        f64([
          [1, 2],
          [3, 0.5],
        ]),
      ),
      inputsUntouched: { requiresGrad: x.requiresGrad, grad: x.grad },
      createGraph: jacobian((t) => t.pow(3), f64([2], true), { createGraph: true }).requiresGrad,
      multiOutput: jacobian((t) => [t.pow(2), t.sum()], x),
      multiBoth: jacobian((a, b) => [a.mul(b), a.add(b).sum()], [x, y]),
      hessTwoInputs: hessian((a, b) => a.mul(a).mul(b).sum().add(b.sum().pow(2)), [x, y]),
      connected: (() => {
        const z = f64([1, 2, 3], true);
        jacobian((t) => t.pow(3), z, { createGraph: true })
          .sum()
          .backward();
        const g1 = z.grad!.clone();
        z.grad = null;
        hessian((t) => t.pow(3).sum(), z, { createGraph: true })
          .sum()
          .backward();
        return { jacobian: g1, hessian: z.grad };
      })(),
    };
  },

  // anomaly detection
  detect_anomaly() {
    const run = (checkNan = true) => {
      const a = f32([0, 1], true);
      const c = a.sqrt().mul(0);
      torch.autograd.detectAnomaly(() => c.sum().backward(), checkNan);
      return a.grad;
    };
    const plain = () => {
      const a = f32([0, 1], true);
      a.sqrt().mul(0).sum().backward();
      return a.grad;
    };
    return { error: err(() => run()), noCheck: run(false), withoutAnomaly: plain() };
  },
};
