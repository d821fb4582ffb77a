/**
 * @file Mirrors of the backward, accumulation, flags and grad-mode scenarios of scripts/fixtures/autograd.py.
 */
import * as torch from '../../../src/index.js';
import { err, f32, f64, flags, type Mirror } from '../helpers.js';

type Tensor = torch.Tensor;
const g = (t: Tensor): Tensor => t.grad!;

export const backwardMirrors: Record<string, Mirror> = {
  accumulate_retain_graph() {
    const x = f32([1, 2, 3], true);
    const y = x.mul(x).sum();
    y.backward(null, { retainGraph: true });
    const g1 = g(x).clone();
    y.backward(null, { retainGraph: true });
    const g2 = g(x).clone();
    y.backward();
    return { g1, g2, g3: x.grad };
  },
  accumulate_in_place() {
    const x = f32([1, 2], true);
    x.mul(2).sum().backward();
    const gr = g(x);
    x.mul(2).sum().backward();
    const same = gr === x.grad;
    x.mul(x).sum().backward();
    const leaf = f32([1, 2], true);
    leaf.backward(f32([1, 5]));
    const empty = torch.zeros(0, { requiresGrad: true });
    empty.sum().backward();
    return { same, g: gr, version: gr.version, leafRoot: leaf.grad, empty: empty.grad };
  },
  hooks_and_inplace() {
    const log: unknown[] = [];
    const x = f32([1, 2], true);
    const y = x.mul(2);
    y.registerHook((gr) => void log.push(['old', gr.tolist()]));
    y.retainGrad();
    y.mul_(3);
    y.registerHook((gr) => void log.push(['new', gr.tolist()]));
    y.mul(y).sum().backward();
    return { log, yGrad: y.grad, xGrad: x.grad };
  },
  backward_twice_error() {
    const x = f32([1, 2, 3], true);
    const y = x.mul(x).sum();
    y.backward();
    const e = err(() => y.backward());
    return { error: e, gradAfter: x.grad };
  },
  backward_twice_nothing_saved() {
    const x = f32([1, 2], true);
    const y = x.add(1).sum();
    y.backward();
    y.backward();
    return { grad: x.grad };
  },
  implicit_gradient() {
    const x = f32([1, 2, 3], true);
    const e = err(() => x.mul(2).backward());
    const one = f32([[2]], true);
    one.mul(3).backward();
    return { error: e, oneElementGrad: one.grad };
  },
  explicit_gradient() {
    const x = f32([1, 2, 3], true);
    x.mul(x).backward(f32([1, 0.1, 0.01]));
    const e = err(() => x.mul(x).backward(torch.ones(2)));
    return { grad: x.grad, error: e };
  },
  backward_without_grad_fn() {
    return { error: err(() => torch.ones(2).sum().backward()) };
  },
  backward_inputs() {
    const a = f32([1, 2], true);
    const b = f32([3, 4], true);
    a.mul(b)
      .sum()
      .backward(null, { inputs: [a] });
    const [aGrad, bGrad] = [a.grad, b.grad];
    const c = f32([1, 2], true);
    const y = c.mul(2);
    y.mul(y)
      .sum()
      .backward(null, { inputs: [y] });
    const e = err(() => a.mul(2).sum().backward(null, { inputs: [] }));
    return { aGrad, bGrad, yGrad: y.grad, yRetainsGrad: y.retainsGrad, cGrad: c.grad, error: e };
  },
  create_graph_backward() {
    const x = f32([1, 2], true);
    x.pow(3).sum().backward(null, { createGraph: true });
    const gr = g(x);
    const first = { grad: gr.clone(), requiresGrad: gr.requiresGrad, isLeaf: gr.isLeaf };
    gr.sum().backward();
    return { first, after: x.grad };
  },
  double_backward_autograd_grad() {
    const x = f32([1, 2, -1.5], true);
    const y = x.pow(3).sum();
    const [d1] = torch.autograd.grad(y, x, { createGraph: true });
    const [d2] = torch.autograd.grad(d1!.sum(), x);
    return {
      g: d1,
      g2: d2,
      gRequiresGrad: d1!.requiresGrad,
      g2RequiresGrad: d2!.requiresGrad,
      xGrad: x.grad,
    };
  },
  third_derivative() {
    const x = f64([0.5, 1, 2], true);
    const f = x.pow(3).mul(torch.sin(x));
    const [d1] = torch.autograd.grad(f.sum(), x, { createGraph: true });
    const [d2] = torch.autograd.grad(d1!.sum(), x, { createGraph: true });
    const [d3] = torch.autograd.grad(d2!.sum(), x);
    return { d1, d2, d3 };
  },
  tanh_derivatives() {
    const x = f64([-1, 0, 0.5], true);
    const out: Record<string, Tensor> = {};
    let y = torch.tanh(x);
    for (let k = 1; k <= 4; k++) {
      y = torch.autograd.grad(y.sum(), x, { createGraph: true })[0]!;
      out[`d${k}`] = y;
    }
    return out;
  },
  fan_in() {
    const x = f32(1.5, true);
    const y = x.mul(x).add(x.mul(3)).add(x.exp()).add(x);
    y.backward();
    return { grad: x.grad, value: y };
  },
  broadcast_gradients() {
    const a = f32([[1], [2], [3]], true);
    const b = f32([1, 10, 100, 1000], true);
    const c = f32(2, true);
    a.mul(b).mul(c).sum().backward();
    return { a: a.grad, b: b.grad, c: c.grad };
  },
  mixed_dtypes() {
    const a = f64([1, 2], true);
    const b = f32([3, 4], true);
    const y = a.mul(b).sum();
    y.backward();
    return { y, a: a.grad, b: b.grad };
  },
  grad_reset_and_assign() {
    const x = f32([1, 2], true);
    x.mul(3).sum().backward();
    g(x).zero_();
    x.mul(3).sum().backward();
    const afterZero = g(x).clone();
    x.grad = null;
    x.mul(5).sum().backward();
    const afterNone = g(x).clone();
    x.grad = f32([100, 200]);
    x.mul(5).sum().backward();
    const e = err(() => {
      x.grad = torch.ones(3);
    });
    return { afterZero, afterNone, afterAssign: x.grad, error: e };
  },
  multiple_roots() {
    const x = f32([1, 2], true);
    const y1 = x.mul(2);
    const y2 = x.mul(x).sum();
    torch.autograd.backward([y1, y2], [f32([1, 1]), null]);
    const gr = g(x).clone();
    const s = x.mul(x).sum();
    torch.autograd.backward([s, s], null, { retainGraph: true });
    const twice = torch.autograd.grad([s, s.mul(2)], x);
    const shared = torch.autograd.grad([x.mul(2), x.mul(3)], [x], {
      gradOutputs: [f32([1, 1]), f32([1, 0])],
    });
    return { grad: gr, sameRootTwice: x.grad, gradTwoOutputs: twice, gradOutputsList: shared };
  },
  shared_subgraph() {
    const x = f32([0.5, -1], true);
    const h = x.tanh();
    h.mul(2).add(h.exp()).sum().backward();
    return { grad: x.grad };
  },

  // flags and modes
  requires_grad_flags() {
    const a = f32([1, -2], true);
    const b = f32([3, 4]);
    const out: Record<string, unknown> = {
      leafRg: flags(a),
      leaf: flags(b),
      rgTimes2: flags(a.mul(2)),
      plainTimes2: flags(b.mul(2)),
      mixed: flags(a.mul(b)),
      detached: flags(a.mul(2).detach()),
      compare: flags(a.gt(0)),
      argmax: flags(a.argmax()),
      intOp: flags(torch.tensor([1, 2], { dtype: torch.int32 }).mul(2)),
      sumOfRg: flags(a.sum()),
      cloneOfRg: flags(a.clone()),
      toDouble: flags(a.double()),
      toFloatSame: flags(a.float()),
    };
    torch.noGrad(() => {
      out.noGrad = flags(a.mul(2));
      torch.enableGrad(() => {
        out.enableInsideNoGrad = flags(a.mul(2));
      });
    });
    torch.setGradEnabled(false);
    out.setGradDisabled = flags(a.mul(2));
    out.isGradEnabledOff = torch.isGradEnabled();
    torch.setGradEnabled(true);
    out.isGradEnabledOn = torch.isGradEnabled();
    const c = f32([1]);
    c.requiresGrad_();
    out.afterRequiresGrad_ = flags(c);
    c.requiresGrad_(false);
    out.afterRequiresGrad_False = flags(c);
    return out;
  },
  requires_grad_errors() {
    const a = f32([1], true);
    return {
      nonLeafOff: err(() => a.mul(2).requiresGrad_(false)),
      nonLeafOn: flags(a.mul(2).requiresGrad_(true)),
      intTensor: err(() => torch.tensor([1, 2], { dtype: torch.int32 }).requiresGrad_()),
      intCreate: err(() => torch.zeros(2, { dtype: torch.int32, requiresGrad: true })),
      boolTensor: err(() => torch.tensor([true]).requiresGrad_()),
      hookNoGrad: err(() => torch.ones(2).registerHook((gr) => gr)),
      retainNoGrad: err(() => torch.ones(2).retainGrad()),
    };
  },
  non_leaf_grad() {
    const x = f32([1, 2], true);
    const y = x.mul(2);
    y.sum().backward();
    // the warning (printed once per process) is tested in backward.test.ts with a spy on console.warn
    return { grad: y.grad, warned: true, leafGrad: x.grad };
  },
  retain_grad() {
    const x = f32([1, 2], true);
    const y = x.mul(2);
    y.retainGrad();
    const z = y.mul(y).sum();
    z.backward(null, { retainGraph: true });
    const first = g(y).clone();
    z.backward();
    const leaf = f32([1], true);
    leaf.retainGrad();
    return {
      first,
      second: y.grad,
      retainsGrad: y.retainsGrad,
      leafRetainsGrad: leaf.retainsGrad,
      x: x.grad,
    };
  },
  detach_semantics() {
    const x = f32([1, 2, 3], true);
    const y = x.mul(2);
    const d = y.detach();
    const v0 = y.version;
    d.select(0, 0).fill_(100);
    const out: Record<string, unknown> = {
      y,
      dFlags: flags(d),
      yVersion: y.version,
      dVersion: d.version,
      v0,
    };
    const z = x.mul(3);
    z.detach_();
    out.detach_ = flags(z);
    const e = f32([1, 2], true).mul(1);
    const v = e.narrow(0, 0, 1);
    out.detachViewInplace = err(() => v.detach_());
    return out;
  },
  inference_mode_rules() {
    const w = f32([1, 2], true);
    const out: Record<string, unknown> = {};
    const t = torch.inferenceMode(() => {
      const t = torch.ones(2).mul(2);
      const inner = w.mul(3);
      out.inside = { requiresGrad: t.requiresGrad, isInference: t.isInference() };
      out.opOnRg = flags(inner);
      out.innerIsInference = inner.isInference();
      out.isGradEnabledInside = torch.isGradEnabled();
      return t;
    });
    out.normalOutside = t.mul(2).isInference();
    out.inplaceOutside = err(() => t.add_(1));
    out.requiresGradOutside = err(() => t.requiresGrad_());
    out.savedForBackward = err(() => w.mul(t));
    w.add(t).sum().backward();
    out.addGrad = w.grad;
    out.tensorUnchanged = t;
    out.cloneIsNormal = t.clone().isInference();
    return out;
  },
  inference_mode_views() {
    const x = torch.ones(3);
    const w = f32([1, 1, 1], true);
    const [v, ti, inside] = torch.inferenceMode(() => {
      const v = x.narrow(0, 0, 2);
      x.add_(1);
      const ti = torch.ones(2);
      const tv = ti.narrow(0, 0, 1);
      w.add_(1);
      return [
        v,
        ti,
        {
          viewOfNormal: v.isInference(),
          xVersion: x.version,
          viewOfInference: tv.isInference(),
          w: w.clone(),
        },
      ] as const;
    });
    v.mul_(2);
    return {
      inside,
      x,
      mixed: ti.add(w.narrow(0, 0, 2)),
      detach: ti.detach().isInference(),
      clone: ti.clone().isInference(),
      view: ti.view(2).isInference(),
      zeroOutside: err(() => ti.zero_()),
      zeroInNoGrad: err(() => torch.noGrad(() => ti.zero_())),
      enabledAfter: torch.isInferenceModeEnabled(),
    };
  },
};
