/**
 * @file Mirrors of the in-place scenarios of scripts/fixtures/autograd.py: version counters, refused in-place ops,
 * saved tensors modified in place, and history rewriting through views (CopySlices, AsStridedBackward0).
 * Python's `y[0]` is `select(0, 0)` here, `y[:, 1:]` is `narrow(1, 1, 2)`, and `x[1] = v` is `select(0, 1).fill_(v)`.
 */
import * as torch from '../../../src/index.js';
import { err, f32, flags, type Mirror, node } from '../helpers.js';

const mat = (rg = false) =>
  f32(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    rg,
  );

export const inplaceMirrors: Record<string, Mirror> = {
  version_counter() {
    const x = torch.ones(2, 3);
    const out: Record<string, unknown> = { fresh: x.version };
    x.add_(1);
    out.add_ = x.version;
    x.mul_(2);
    out.mul_ = x.version;
    const y = x.add(1);
    out.outOfPlace = x.version;
    const v = x.select(0, 0);
    v.mul_(3);
    out.viaView = [x.version, v.version];
    const d = x.detach();
    d.zero_();
    out.viaDetach = [x.version, d.version];
    x.fill_(2);
    out.fill_ = x.version;
    x.copy_(torch.zeros(2, 3));
    out.copy_ = x.version;
    const c = x.clone();
    c.add_(1);
    out.cloneSeparate = [x.version, c.version];
    x.select(0, 1).fill_(5);
    out.setitem = x.version;
    out.values = x;
    out.y = y;
    return out;
  },
  inplace_leaf_refused() {
    const x = f32([1, 2, 3], true);
    const e = err(() => x.add_(1));
    const ev = err(() => x.select(0, 0).mul_(2));
    const out: Record<string, unknown> = {
      error: e,
      viewError: ev,
      unchanged: x.clone(),
      version: x.version,
    };
    torch.noGrad(() => x.sub_(0.5));
    out.noGradAllowed = x;
    out.noGradVersion = x.version;
    out.stillLeaf = flags(x);
    return out;
  },
  inplace_saved_output_modified() {
    const x = f32([1, 2], true);
    const y = x.exp();
    y.add_(1);
    const e = err(() => y.sum().backward());
    return { error: e, phrase: err(() => y.sum().backward()), grad: x.grad };
  },
  inplace_saved_input_modified() {
    const x = f32([1, 2], true);
    const y = x.mul(1);
    const z = y.mul(y);
    y.mul_(2);
    return { error: err(() => z.sum().backward()), grad: x.grad };
  },
  inplace_leaf_modified_in_no_grad() {
    const w = f32([1, 2], true);
    const y = w.mul(w).sum();
    torch.noGrad(() => w.sub_(1));
    return { error: err(() => y.backward()), grad: w.grad, w };
  },
  inplace_not_saved_ok() {
    const x = f32([1, 2], true);
    const y = x.mul(2);
    y.add_(1);
    const g = node(y.gradFn, { x }, 2);
    y.sum().backward();
    return { graph: g, y, grad: x.grad, version: y.version, flags: flags(y) };
  },
  inplace_chain() {
    const x = f32([0.5, 1], true);
    const y = x.mul(1);
    y.exp_();
    const n1 = y.gradFn?.name ?? null;
    y.mul_(3);
    const e = err(() => y.sum().backward());
    const z = x.mul(1);
    z.mul_(3);
    z.exp_();
    z.sum().backward();
    return {
      afterExp_: n1,
      afterMul_: y.gradFn?.name ?? null,
      error: e,
      z,
      grad: x.grad,
      zGraph: node(z.gradFn, { x }, 3),
    };
  },
  inplace_into_plain_tensor() {
    const x = f32([1, 2, 3], true);
    const a = torch.zeros(3);
    a.add_(x);
    const f1 = flags(a);
    a.mul_(x);
    a.sum().backward();
    return { afterAdd_: f1, afterMul_: flags(a), a, grad: x.grad };
  },
  copyslices_select() {
    const x = mat(true);
    const y = x.mul(1);
    y.select(0, 0).mul_(2);
    const g = node(y.gradFn, { x }, 2);
    y.sum().backward();
    return { graph: g, y, grad: x.grad, flags: flags(y), version: y.version };
  },
  copyslices_copy_into_slice() {
    const x = mat(true);
    const z = f32([10, 20], true);
    const w = mat();
    const y = x.mul(1);
    y.narrow(1, 1, 2).copy_(z.unsqueeze(1).expand(2, 2));
    const g = node(y.gradFn, { x, z }, 2);
    y.mul(w).sum().backward();
    return { graph: g, y, x: x.grad, z: z.grad };
  },
  copyslices_mul_by_tensor() {
    const x = mat(true);
    const s = f32([2, 3, 4], true);
    const y = x.mul(1);
    y.select(0, 1).mul_(s);
    const g = node(y.gradFn, { x, s }, 2);
    y.mul(y).sum().backward();
    return { graph: g, y, x: x.grad, s: s.grad };
  },
  inplace_whole_view() {
    const x = mat(true);
    const y = x.mul(1);
    const v = y.view(6);
    v.mul_(2);
    const out: Record<string, unknown> = { base: node(y.gradFn, { x }, 2), view: node(v.gradFn, { x }, 1) };
    v.mul(f32([1, 2, 3, 4, 5, 6]))
      .sum()
      .backward();
    out.grad = x.grad;
    out.y = y;
    return out;
  },
  view_stale_after_base_inplace() {
    const x = mat(true);
    const y = x.mul(1);
    const v = y.select(0, 0);
    const before = v.gradFn?.name ?? null;
    y.mul_(2);
    const after = v.gradFn?.name ?? null;
    v.sum().backward();
    return { before, after, grad: x.grad, v };
  },
  inplace_through_transposed_view() {
    const x = mat(true);
    const y = x.mul(1);
    y.t().select(0, 1).mul_(10);
    y.narrow(1, 2, 1).add_(y.narrow(1, 0, 1));
    y.mul(mat()).sum().backward();
    return { y, grad: x.grad, gradFn: y.gradFn?.name ?? null };
  },
  inplace_two_views() {
    const x = f32([1, 2, 3, 4], true);
    const y = x.mul(1);
    const a = y.narrow(0, 0, 2);
    const b = y.narrow(0, 2, 2);
    a.mul_(2);
    b.add_(a);
    y.pow(2).sum().backward();
    return { y, grad: x.grad, a: a.gradFn?.name ?? null, b: b.gradFn?.name ?? null };
  },
  inplace_ops_gradients() {
    type T = torch.Tensor;
    const ops: Record<string, (y: T, t: T) => unknown> = {
      add_: (y, t) => y.add_(t, { alpha: 2 }),
      sub_: (y, t) => y.sub_(t),
      mul_: (y, t) => y.mul_(t),
      div_: (y, t) => y.div_(t),
      pow_: (y) => y.pow_(2),
      powTensor_: (y, t) => y.pow_(t),
      clamp_: (y) => y.clamp_(0.6, 1.1),
      neg_: (y) => y.neg_(),
      exp_: (y) => y.exp_(),
      sqrt_: (y) => y.sqrt_(),
      relu_: (y) => y.relu_(),
      sigmoid_: (y) => y.sigmoid_(),
      tanh_: (y) => y.tanh_(),
      addcmul_: (y, t) => y.addcmul_(t, t, { value: 0.5 }),
      addcdiv_: (y, t) => y.addcdiv_(t, t.add(1), { value: -2 }),
      lerp_: (y, t) => y.lerp_(t, 0.25),
      copy_: (y, t) => y.copy_(t.mul(3)),
      mulSelf_: (y) => y.mul_(y),
    };
    const w = f32([1, -2, 3]);
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(ops)) {
      const x = f32([0.5, 1, 1.5], true);
      const t = f32([2, 0.5, 1.25], true);
      const y = x.mul(1);
      f(y, t);
      const rec: Record<string, unknown> = { gradFn: y.gradFn?.name ?? null, y: y.detach().clone() };
      const e = err(() => y.mul(w).sum().backward());
      if ('error' in (e as object)) rec.error = e;
      else [rec.x, rec.t] = [x.grad, t.grad];
      out[k] = rec;
    }
    return out;
  },
  inplace_refused_leaves_unchanged() {
    const i = torch.tensor([1, 2, 3], { dtype: torch.int32 });
    const f = f32([1, 2, 3]);
    return {
      intFloat: err(() => i.add_(0.5)),
      intAfter: [i, i.version],
      shape: err(() => f.add_(torch.ones(2, 3))),
      floatAfter: [f, f.version],
      boolOut: err(() => torch.tensor([true]).add_(f32([1]))),
    };
  },
  inplace_fill_history() {
    const x = f32([1, 2, 3], true);
    const out: Record<string, unknown> = {};
    const fills: Record<string, (y: torch.Tensor) => unknown> = {
      zero_: (y) => y.zero_(),
      fill_: (y) => y.fill_(2),
      normal_: (y) => y.normal_(),
      uniform_: (y) => y.uniform_(),
      bernoulli_: (y) => y.bernoulli_(0.5),
    };
    for (const [k, f] of Object.entries(fills)) {
      const y = x.mul(1);
      f(y);
      out[k] = node(y.gradFn, { x }, 2);
    }
    let y = x.mul(1);
    y.select(0, 0).zero_();
    out.viewZero = node(y.gradFn, { x }, 2);
    y.sum().backward();
    out.viewZeroGrad = x.grad;
    x.grad = null;
    y = x.mul(1);
    y.narrow(0, 1, 2).fill_(3);
    y.mul(y).sum().backward();
    out.viewFill = [y, x.grad];
    return out;
  },
  inplace_into_plain_view() {
    const x = mat(true);
    const a = torch.zeros(2, 3);
    a.select(0, 0).add_(x.select(0, 1));
    const out: Record<string, unknown> = { graph: node(a.gradFn, { x }, 2), flags: flags(a) };
    a.sum().backward();
    out.grad = x.grad!.clone();
    const b = torch.zeros(3);
    const v = b.narrow(0, 1, 2);
    const before = flags(v);
    b.add_(x.select(0, 0));
    out.view = { before, after: flags(v) };
    v.mul(v).sum().backward();
    out.viewGrad = x.grad;
    return out;
  },
  inplace_view_saving_self() {
    const x = mat(true);
    const y = x.mul(1);
    y.select(0, 0).pow_(2);
    y.select(0, 1).exp_();
    y.mul(mat()).sum().backward();
    return { y, grad: x.grad };
  },
  inplace_nested_views() {
    const x = mat(true);
    const y = x.mul(1);
    const v = y.select(0, 0);
    const w = v.narrow(0, 1, 2);
    w.mul_(2);
    const names = [y.gradFn?.name ?? null, v.gradFn?.name ?? null, w.gradFn?.name ?? null];
    v.sum().add(y.sum()).add(w.mul(w).sum()).backward();
    return { names, y, grad: x.grad };
  },
  inplace_view_errors() {
    const x = mat(true);
    const y = x.mul(1);
    const v = torch.noGrad(() => y.select(0, 0));
    const out: Record<string, unknown> = { noGradView: err(() => v.mul_(2)) };
    out.unbind = err(() => y.unbind()[0]!.mul_(2));
    out.split = err(() => y.split(1)[1]!.add_(1));
    out.chunk = err(() => y.chunk(2)[0]!.zero_());
    out.unchanged = [y.detach().clone(), y.version];
    torch.noGrad(() => {
      y.split(1)[1]!.add_(1);
      v.mul_(2);
    });
    out.noGradAllowed = [y, y.version];
    const z = x.exp();
    z.detach().zero_();
    out.detachShared = err(() => z.sum().backward());
    return out;
  },
};
