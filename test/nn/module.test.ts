/**
 * @file nn.Module behaviour: registration from properties, traversal order, state dicts (strict and not, with
 * PyTorch's messages), train/eval, zeroGrad, dtype conversion, hooks, calling, containers and printing.
 */
import { describe, expect, test } from 'vitest';
import type { Tensor } from '../../src/index.js';
import * as torch from '../../src/index.js';

const { nn } = torch;

class Block extends nn.Module {
  fc = new nn.Linear(3, 4);
  scale = new nn.Parameter(torch.ones(1));
  act = new nn.ReLU();
  constructor() {
    super();
    this.registerBuffer('steps', torch.zeros(1));
    this.registerBuffer('cache', torch.zeros(2), { persistent: false });
  }
  override forward(x: Tensor): Tensor {
    return this.act(this.fc(x)).mul(this.scale);
  }
}

class Net extends nn.Module {
  block = new Block();
  head = new nn.Linear(4, 2);
  override forward(x: Tensor): Tensor {
    return this.head(this.block(x));
  }
}

describe('registration and traversal', () => {
  test('parameters, buffers and children come from properties, in PyTorch order', () => {
    const net = new Net();
    expect(net.namedParameters().map(([k]) => k)).toEqual([
      'block.scale',
      'block.fc.weight',
      'block.fc.bias',
      'head.weight',
      'head.bias',
    ]);
    expect(net.namedBuffers().map(([k]) => k)).toEqual(['block.steps', 'block.cache']);
    expect(Object.keys(net.stateDict())).toEqual([
      'block.scale',
      'block.steps',
      'block.fc.weight',
      'block.fc.bias',
      'head.weight',
      'head.bias',
    ]);
    expect(net.namedChildren().map(([k]) => k)).toEqual(['block', 'head']);
    expect(net.namedModules().map(([k]) => k)).toEqual(['', 'block', 'block.fc', 'block.act', 'head']);
    expect(net.getSubmodule('block.fc')).toBe(net.block.fc);
  });

  test('shared parameters and modules are listed once', () => {
    const lin = new nn.Linear(2, 2);
    const seq = new nn.Sequential(lin, new nn.ReLU(), lin);
    expect(seq.parameters()).toHaveLength(2);
    expect(seq.modules()).toHaveLength(3);
  });

  test('registration checks names and types', () => {
    const m = new nn.Module();
    expect(() => m.registerBuffer('a.b', torch.zeros(1))).toThrow(/can't contain "."/);
    expect(() => m.registerParameter('w', torch.zeros(1) as torch.nn.Parameter)).toThrow(
      /nn.Parameter or null required/,
    );
    expect(() => m.forward()).toThrow(/missing the required "forward" function/);
  });

  test('a module is callable, runs hooks, and works as a function value', () => {
    const net = new Net();
    const x = torch.randn(5, 3);
    expect(typeof net).toBe('function');
    expect(net(x).shape).toEqual([5, 2]);
    const seen: number[][] = [];
    const h = net.head.registerForwardHook((_m, _a, out) => void seen.push([...(out as Tensor).shape]));
    const p = net.registerForwardPreHook((_m, [a]) => [(a as Tensor).mul(0)]);
    expect(net(x).shape).toEqual([5, 2]);
    expect(seen).toEqual([[5, 2]]);
    h.remove();
    p.remove();
    net(x);
    expect(seen).toHaveLength(1);
    expect([x, x].map(net.block.fc).length).toBe(2);
  });
});

describe('state dicts', () => {
  test('round trip into a fresh model gives the same outputs', () => {
    const a = new Net();
    const b = new Net();
    const x = torch.randn(4, 3);
    expect(a(x).equal(b(x))).toBe(false);
    const r = b.loadStateDict(a.stateDict());
    expect(r).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(a(x).equal(b(x))).toBe(true);
    // stateDict shares storage but is detached
    const sd = a.stateDict();
    expect(sd['head.weight']!.requiresGrad).toBe(false);
    expect(sd['head.weight']!.storage).toBe(a.head.weight.storage);
  });

  test('strict loading names missing and unexpected keys; shape mismatches always fail', () => {
    const net = new Net();
    const sd = net.stateDict();
    delete sd['head.bias'];
    sd.extra = torch.zeros(1);
    expect(() => net.loadStateDict(sd)).toThrow(
      'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "head.bias". \n\tUnexpected key(s) in state_dict: "extra". ',
    );
    expect(net.loadStateDict(sd, { strict: false })).toEqual({
      missingKeys: ['head.bias'],
      unexpectedKeys: ['extra'],
    });
    sd['head.weight'] = torch.zeros(3, 3);
    expect(() => net.loadStateDict(sd, { strict: false })).toThrow(
      'size mismatch for head.weight: copying a param with shape torch.Size([3, 3]) from checkpoint, the shape in current model is torch.Size([2, 4]).',
    );
  });

  test('loading keeps the Parameter objects and does not record', () => {
    const net = new Net();
    const w = net.head.weight;
    net.loadStateDict({ ...net.stateDict(), 'head.weight': torch.ones(2, 4) });
    expect(net.head.weight).toBe(w);
    expect(w.isLeaf).toBe(true);
    expect(w.sum().item()).toBe(8);
  });
});

describe('modes, gradients, dtypes', () => {
  test('train/eval reach every submodule', () => {
    const net = new nn.Sequential(new nn.Dropout(0.5), new nn.Sequential(new nn.BatchNorm1d(2)));
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  test('zeroGrad sets to null by default, or zeroes', () => {
    const net = new Net();
    net(torch.randn(2, 3)).sum().backward();
    expect(net.head.weight.grad).not.toBeNull();
    net.zeroGrad({ setToNone: false });
    expect(net.head.weight.grad!.abs().sum().item()).toBe(0);
    net.zeroGrad();
    expect(net.head.weight.grad).toBeNull();
  });

  test('double() converts floating parameters and buffers in place', () => {
    const bn = new nn.BatchNorm1d(3);
    const w = bn.weight!;
    bn.double();
    expect(bn.weight).toBe(w);
    expect(w.dtype).toBe(torch.float64);
    expect(bn.runningMean!.dtype).toBe(torch.float64);
    expect(bn.numBatchesTracked!.dtype).toBe(torch.int32);
    bn(torch.randn(4, 3, { dtype: torch.float64 }))
      .sum()
      .backward();
    expect(w.grad!.dtype).toBe(torch.float64);
  });

  test('requiresGrad_ freezes parameters', () => {
    const net = new Net();
    net.block.requiresGrad_(false);
    expect(net.block.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(net.head.weight.requiresGrad).toBe(true);
  });

  test('batch norm tracks batches and uses running statistics in eval', () => {
    const bn = new nn.BatchNorm1d(2, { momentum: null });
    bn(
      torch.tensor([
        [1, 2],
        [3, 6],
      ]),
    );
    bn(
      torch.tensor([
        [5, 2],
        [7, 2],
      ]),
    );
    expect(bn.numBatchesTracked!.item()).toBe(2);
    expect(Array.from(bn.runningMean!.toArray())).toEqual([4, 3]);
    bn.eval();
    const y = bn(torch.tensor([[4, 3]]));
    expect(y.abs().max().item()).toBeLessThan(1e-6);
  });
});

describe('containers', () => {
  test('Sequential indexes, appends and slices', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expect(seq[0]).toBeInstanceOf(nn.Linear);
    expect(seq.at(-1)).toBeInstanceOf(nn.ReLU);
    seq.append(new nn.Linear(3, 1));
    expect(seq.length).toBe(3);
    expect(seq(torch.randn(4, 2)).shape).toEqual([4, 1]);
    expect(seq.slice(0, 2).length).toBe(2);
    expect([...seq]).toHaveLength(3);
    const named = new nn.Sequential({ enc: new nn.Linear(2, 2), act: new nn.Tanh() });
    expect(Object.keys(named.stateDict())).toEqual(['enc.weight', 'enc.bias']);
  });

  test('ModuleList and ModuleDict register their modules', () => {
    const list = new nn.ModuleList([new nn.Linear(1, 1), new nn.Linear(1, 1)]);
    list.insert(1, new nn.Linear(1, 2));
    expect(list.length).toBe(3);
    expect(list[1]).toBeInstanceOf(nn.Linear);
    expect(Object.keys(list.stateDict())).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '2.weight',
      '2.bias',
    ]);
    list.pop(0);
    expect((list[0] as torch.nn.Linear).outFeatures).toBe(2);
    const dict = new nn.ModuleDict({ b: new nn.Linear(1, 1), a: new nn.Linear(1, 1), keys: new nn.ReLU() });
    expect(dict.keys()).toEqual(['b', 'a', 'keys']);
    expect(Object.keys(dict.stateDict())).toEqual(['b.weight', 'b.bias', 'a.weight', 'a.bias']);
    expect(dict.get('keys')).toBeInstanceOf(nn.ReLU);
    expect(() => dict.get('nope')).toThrow(/no key 'nope'/);
  });

  test('Parameter prints like PyTorch and shares storage', () => {
    const t = torch.tensor([1, 2]);
    const p = new nn.Parameter(t);
    expect(String(p)).toBe('Parameter containing:\ntensor([1., 2.], requires_grad=True)');
    expect(p.storage).toBe(t.storage);
    expect(p.isLeaf).toBe(true);
  });
});
