/**
 * @file Mirrors of the printing, promotion, view, creation and read scenarios of scripts/fixtures/autograd.py.
 */
import * as torch from '../../../src/index.js';
import { err, f32, f64, fixtures, flags, type Mirror } from '../helpers.js';
import { MyExp } from './grad.js';

type Tensor = torch.Tensor;
type Operand = [string, unknown] | [string, string, number];

export const tensorMirrors: Record<string, Mirror> = {
  printing() {
    const x = f32(3, true);
    const v = f32([1, 2], true);
    const d = f64([1, 2], true);
    const m = f32(
      [
        [0.2437, 1.5],
        [3, -4.25],
      ],
      true,
    );
    const y = v.mul(1);
    y.select(0, 0).mul_(2);
    const out: Record<string, string> = {
      leafScalar: String(x),
      leafVector: String(v),
      leafMatrix: String(m),
      add: String(x.add(1)),
      mul: String(v.mul(2)),
      sum: String(v.sum()),
      double: String(d.mul(2)),
      doubleLeaf: String(d),
      copySlices: String(y),
      custom: String(MyExp.apply(v)),
      detached: String(v.mul(2).detach()),
      view: String(m.t()),
      mean: String(m.mean()),
    };
    out.noGrad = torch.noGrad(() => String(v.mul(2)));
    v.mul(v).sum().backward(null, { createGraph: true });
    out.gradCreateGraph = String(v.grad);
    const w = f32([1, 2], true);
    w.mul(3).sum().backward();
    out.grad = String(w.grad);
    return out;
  },
  promotion() {
    // the operand specifications are the fixture's own (inputs, not observations)
    const fixture = (fixtures.scenarios.promotion as { pairs: { a: Operand; b: Operand }[] }).pairs.map(
      (p) => [p.a, p.b],
    );
    const make = (o: Operand): Tensor | number | boolean => {
      if (o[0] === 't') {
        const [, dt, dim] = o as [string, string, number];
        const shape = new Array<number>(dim).fill(2);
        if (dt === 'bool') return torch.ones(shape, { dtype: torch.bool });
        const dtype = { float32: torch.float32, float64: torch.float64, int32: torch.int32 }[dt]!;
        return torch.ones(shape, { dtype }).mul(2);
      }
      return o[1] as number | boolean;
    };
    const pairs = fixture.map(([a, b]) => {
      const ta = make(a!) as Tensor;
      const tb = make(b!) as Tensor | number; // booleans too: the ops take them at run time as PyTorch does
      const rec: Record<string, unknown> = { a, b, resultType: torch.resultType(ta, tb).name };
      rec.add = ta.add(tb).dtype.name;
      rec.mul = ta.mul(tb).dtype.name;
      rec.div = ta.div(tb).dtype.name;
      rec.lt = ta.lt(tb).dtype.name;
      const anyBool =
        ta.dtype === torch.bool ||
        typeof tb === 'boolean' ||
        (tb instanceof torch.Tensor && tb.dtype === torch.bool);
      rec.sub = anyBool ? err(() => ta.sub(tb)) : ta.sub(tb).dtype.name;
      return rec;
    });
    return {
      pairs,
      reversedScalar: torch.mul(2.5, torch.ones(2, { dtype: torch.int32 })).dtype.name,
      intDivInt: torch.tensor([3], { dtype: torch.int32 }).div(2).dtype.name,
    };
  },
  views_share_storage() {
    const makers: Record<string, (x: Tensor) => Tensor> = {
      view: (x) => x.view(6),
      reshape: (x) => x.reshape(3, 2),
      unsqueeze: (x) => x.unsqueeze(1),
      squeeze: (x) => x.unsqueeze(0).squeeze(0),
      transpose: (x) => x.transpose(0, 1),
      permute: (x) => x.permute(1, 0),
      t: (x) => x.t(),
      expand: (x) => x.narrow(0, 0, 1).expand(4, 3),
      narrow: (x) => x.narrow(1, 1, 2),
      select: (x) => x.select(1, 2),
      reshapeNonContiguous: (x) => x.t().reshape(6),
      contiguousOfT: (x) => x.t().contiguous(),
      clone: (x) => x.clone(),
    };
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(makers)) {
      const x = torch.arange(6).reshape(2, 3).clone();
      const v = f(x);
      const rec: Record<string, unknown> = {
        shares: v.storage === x.storage,
        shape: v.shape,
        stride: v.stride(),
        offset: v.storageOffset(),
        contiguous: v.isContiguous(),
      };
      if (k !== 'expand') {
        v.mul_(10);
        rec.baseAfter = x;
        rec.versions = [x.version, v.version];
      }
      out[k] = rec;
    }
    return out;
  },
  views_grad() {
    const x = f32(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      true,
    );
    const w = f32([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    x.t().mul(w).sum().backward();
    const g1 = x.grad!.clone();
    x.grad = null;
    x.narrow(1, 1, 2)
      .select(0, 1)
      .mul(f32([10, 20]))
      .sum()
      .backward();
    const g2 = x.grad!.clone();
    x.grad = null;
    x.unsqueeze(0).expand(2, 2, 3).sum().backward();
    return { t: g1, narrowSelect: g2, expand: x.grad };
  },
  creation() {
    return {
      nested: torch.tensor([
        [1, 2],
        [3, 4],
      ]),
      scalar: torch.tensor(3.5),
      empty: torch.tensor([]),
      emptyNested: torch.tensor([[], []]),
      bools: torch.tensor([true, false]),
      TensorCtor: new torch.Tensor([2]),
      TensorCtorRepr: String(new torch.Tensor([2])),
      ragged: err(() => torch.tensor([[1, 2], [3]])),
      ragged3d: err(() => torch.tensor([[[1], [2]], [[3]]])),
      int32: torch.tensor([1, 2], { dtype: torch.int32 }),
      castToInt: torch.tensor([1.7, -1.7], { dtype: torch.int32 }),
      rgScalar: flags(torch.tensor(2, { requiresGrad: true })),
      zeros: torch.zeros(2, 3),
      onesInt: torch.ones(2, { dtype: torch.int32 }),
      full: torch.full([2], 7),
      eye: torch.eye(2, 3),
      arangeF: torch.arange(0, 1, 0.25),
      linspace: torch.linspace(-1, 1, 5),
    };
  },
  reads() {
    const x = f32(
      [
        [1.5, 2],
        [3, 4.25],
      ],
      true,
    );
    const y = x.mul(2);
    const c = x.clone();
    torch.noGrad(() => c.select(0, 0).select(0, 0).fill_(100));
    return {
      tolist: x.tolist(),
      item: y.sum().item(),
      itemOneElement: f32([[7]]).item(),
      itemError: err(() => x.item()),
      boolList: x.gt(2).tolist(),
      intList: torch.tensor([1, 2], { dtype: torch.int32 }).tolist(),
      scalarList: f32(3).tolist(),
      clone: flags(c),
      cloneIndependent: x,
      cloneGradFn: x.clone().gradFn?.name ?? null,
      tolistTransposed: x.t().tolist(),
    };
  },
};
