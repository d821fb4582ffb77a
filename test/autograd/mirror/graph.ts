/**
 * @file Mirrors of the graph-structure and hook scenarios of scripts/fixtures/autograd.py: node names,
 * nextFunctions (AccumulateGrad for leaves, null for inputs without grad), hook order and replacement.
 */
import * as torch from '../../../src/index.js';
import { err, f32, type Mirror, node } from '../helpers.js';

type Tensor = torch.Tensor;

export const graphMirrors: Record<string, Mirror> = {
  graph_catalogue() {
    const a = f32(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      true,
    );
    const b = f32(
      [
        [0.5, 1.5, 2.5],
        [3.5, 4.5, 5.5],
      ],
      true,
    );
    const v = f32([1, 2, 3], true);
    const m = f32(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      true,
    );
    const p = f32([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const leaves = { a, b, v, m };
    const exprs: Record<string, () => Tensor> = {
      mul: () => a.mul(b),
      mulScalar: () => a.mul(2),
      mulNoGrad: () => a.mul(p),
      add: () => a.add(b),
      addScalar: () => a.add(2),
      sub: () => a.sub(b),
      div: () => a.div(b),
      divScalar: () => a.div(2),
      powScalar: () => a.pow(2),
      powTensor: () => a.pow(b),
      neg: () => a.neg(),
      exp: () => a.exp(),
      log: () => a.log(),
      sin: () => a.sin(),
      cos: () => a.cos(),
      tanh: () => a.tanh(),
      sigmoid: () => a.sigmoid(),
      relu: () => a.relu(),
      sqrt: () => a.sqrt(),
      rsqrt: () => a.rsqrt(),
      abs: () => a.abs(),
      reciprocal: () => a.reciprocal(),
      square: () => a.square(),
      sum: () => a.sum(),
      sumDim: () => a.sum(1),
      mean: () => a.mean(),
      meanDim: () => a.mean(0),
      maxAll: () => a.max(),
      maxDim: () => a.max(1).values,
      amax: () => a.amax(1),
      prod: () => a.prod(),
      var: () => a.var(),
      std: () => a.std(1),
      logsumexp: () => a.logsumexp(1),
      cumsum: () => a.cumsum(1),
      mm: () => a.mm(m),
      matmul2d: () => a.matmul(m),
      mv: () => a.mv(v),
      dot: () => v.dot(v),
      view: () => a.view(6),
      reshapeContiguous: () => a.reshape(3, 2),
      reshapeCopy: () => a.t().reshape(6),
      flatten: () => a.flatten(),
      t: () => a.t(),
      transpose: () => a.transpose(0, 1),
      permute: () => a.permute(1, 0),
      unsqueeze: () => a.unsqueeze(0),
      squeezeDim: () => a.unsqueeze(0).squeeze(0),
      squeezeAll: () => a.unsqueeze(0).squeeze(),
      expand: () => v.expand(2, 3),
      narrow: () => a.narrow(1, 0, 2),
      select: () => a.select(0, 1),
      index: () => a.select(0, 1),
      slice: () => a.narrow(0, 1, 1),
      clone: () => a.clone(),
      contiguous: () => a.t().contiguous(),
      toDouble: () => a.double(),
      cat: () => torch.cat([a, b]),
      stack: () => torch.stack([a, b]),
      where: () => torch.where(a.gt(2), a, b),
      clamp: () => a.clamp(0, 3),
      clampMin: () => a.clamp({ min: 2 }),
      rsub: () => torch.sub(2, a),
      maximum: () => torch.maximum(a, b),
      softmax: () => a.softmax(1),
      logSoftmax: () => a.logSoftmax(1),
      repeat: () => v.repeat(2),
      split0: () => a.split(1)[0]!,
      unbind1: () => a.unbind(0)[1]!,
      chain: () => a.mul(b).sum(1).add(v.sum()).exp(),
    };
    return Object.fromEntries(Object.entries(exprs).map(([k, f]) => [k, node(f().gradFn, leaves, 2)]));
  },

  // hooks
  hook_order() {
    const log: unknown[] = [];
    const x = f32([1, 2], true);
    const y = x.mul(2);
    const z = y.mul(3);
    const s = z.sum();
    x.registerHook((g) => void log.push(['x', g.tolist()]));
    y.registerHook((g) => void log.push(['y', g.tolist()]));
    z.registerHook((g) => void log.push(['z', g.tolist()]));
    y.registerHook((g) => void log.push(['y2', g.tolist()]));
    s.backward();
    return { log, grad: x.grad };
  },
  hook_replace() {
    const x = f32([1, 2], true);
    const y = x.mul(2);
    y.registerHook((g) => g.mul(10));
    y.registerHook((g) => g.add(1));
    y.sum().backward();
    const viaIntermediate = x.grad!.clone();
    const w = f32([1, 2], true);
    w.registerHook((g) => g.mul(100));
    w.mul(3).sum().backward();
    w.mul(3).sum().backward();
    return { viaIntermediate, leaf: w.grad };
  },
  hook_remove() {
    const log: string[] = [];
    const x = f32([1, 2], true);
    const h = x.registerHook(() => void log.push('x'));
    const y = x.mul(2);
    const hy = y.registerHook(() => void log.push('y'));
    h.remove();
    hy.remove();
    y.sum().backward();
    return { log, grad: x.grad };
  },
  hook_two_leaves_order() {
    const log: string[] = [];
    const a = f32([1], true);
    const b = f32([2], true);
    a.registerHook(() => void log.push('a'));
    b.registerHook(() => void log.push('b'));
    for (let i = 0; i < 2; i++) {
      a.mul(2).add(b.mul(3)).sum().backward();
      log.push('|');
      b.mul(3).add(a.mul(2)).sum().backward();
      log.push('|');
    }
    const c = a.mul(b).exp();
    const d = c.mul(a);
    d.registerHook(() => void log.push('d'));
    c.registerHook(() => void log.push('c'));
    d.sum().backward();
    return { log };
  },
  hook_errors() {
    const x = f32([1, 2], true);
    let y = x.mul(2);
    y.registerHook(() => torch.ones(3));
    const size = err(() => y.sum().backward());
    y = x.mul(2);
    y.registerHook(() => 5 as never);
    const kind = err(() => y.sum().backward());
    const w = f32([1, 2], true);
    w.registerHook((g) => g.double());
    const dtype = err(() => w.mul(2).sum().backward());
    return { size, kind, dtype, xGrad: x.grad, wGrad: w.grad };
  },
  retain_grad_with_hook() {
    const a = f32([1, 1], true);
    const b = a.mul(2);
    b.retainGrad();
    b.registerHook((g) => g.mul(10));
    b.sum().backward();
    const retainFirst = b.grad;
    const c = a.mul(2);
    c.registerHook((g) => g.mul(10));
    c.retainGrad();
    c.sum().backward();
    return { retainFirst, hookFirst: c.grad, a: a.grad };
  },
  node_post_hook() {
    const log: unknown[] = [];
    const x = f32([1, 2], true);
    const w = f32([3, 4], true);
    const y = x.mul(w);
    y.gradFn!.registerHook((gi, go) => void log.push({ gradInputs: [...gi], gradOutputs: [...go] }));
    y.sum().backward();
    return { log };
  },
};
