/**
 * @file Computation-graph drawings: the autograd graph of a tensor as torchviz's make_dot draws it, and the
 * forward picture of the tutorial (variables as ellipses, operators as boxes). Produces Graphviz DOT text;
 * render.ts lays it out with Graphviz compiled to WebAssembly.
 */
import type { Node } from '../graph/node.js';
import type { TensorImpl } from '../graph/tensor-impl.js';
import { AccumulateGrad } from '../ops/define.js';
import { check } from '../util/assert.js';

/** Options of makeDot. @example { params: { w, b }, view: 'forward' } */
export interface DotOptions {
  /** Names for tensors (leaves, and in the forward view any named intermediate such as `y` or `z`). */
  params?: Record<string, TensorImpl>;
  /**
   * `'backward'` (default): torchviz's picture of the autograd graph (grad_fn nodes, AccumulateGrad leaves in
   * blue, the output in green, saved tensors in orange with `showSaved`). `'forward'`: the data-flow picture
   * of the tutorial, tensors as ellipses and operators as boxes, leaves at the bottom and the root on top.
   */
  view?: 'backward' | 'forward';
  /** Backward view: draw the tensors each node saved for backward (orange). */
  showSaved?: boolean;
  /** Graph title drawn above the picture. */
  title?: string;
}

const sizeStr = (shape: readonly number[]): string => `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
const quote = (s: string): string =>
  `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Every node reachable from `root`, in a stable order (iterative; graphs may be deep). */
function nodesOf(root: Node): Node[] {
  const seen = new Set<Node>([root]);
  const order: Node[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    order.push(n);
    for (const [next] of n.nextFunctions)
      if (next && !seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
  }
  return order;
}

function nameOf(params: Record<string, TensorImpl>, t: TensorImpl): string | undefined {
  for (const [k, v] of Object.entries(params)) if (v === t) return k;
  return undefined;
}

/** The lower-case operator of a node name: 'MulBackward0' -> 'mul'. */
export function opLabel(name: string): string {
  return name.replace(/Backward\d*$/, '').replace(/^./, (c) => c.toLowerCase());
}

function header(title: string | undefined, rankdir: string): string[] {
  const lines = [
    'digraph {',
    `  graph [rankdir=${rankdir} size="12,12" fontname="DejaVu Sans" fontsize=12${title ? ` label=${quote(title)} labelloc=t` : ''}]`,
    '  node [fontname="DejaVu Sans" fontsize=10 height=0.2 style=filled]',
    '  edge [arrowsize=0.7]',
  ];
  return lines;
}

/** torchviz's make_dot: grad_fn boxes, AccumulateGrad as the named leaf, the root tensor on top. */
function backwardDot(root: TensorImpl, opts: DotOptions): string {
  const params = opts.params ?? {};
  const lines = header(opts.title, 'TB');
  lines.push('  node [shape=box align=left fillcolor=lightgrey]');
  const ids = new Map<Node, string>();
  const id = (n: Node): string => {
    let s = ids.get(n);
    if (!s) ids.set(n, (s = `n${ids.size}`));
    return s;
  };
  let saved = 0;
  const rootName = nameOf(params, root);
  lines.push(
    `  out [label=${quote(`${rootName ? `${rootName}\n` : ''}${sizeStr(root.shape)}`)} fillcolor=darkolivegreen1]`,
  );
  for (const n of nodesOf(root.gradFn!)) {
    if (n instanceof AccumulateGrad) {
      const v = n.variable;
      const name = nameOf(params, v) ?? '';
      lines.push(`  ${id(n)} [label=${quote(`${name}\n ${sizeStr(v.shape)}`)} fillcolor=lightblue]`);
    } else lines.push(`  ${id(n)} [label=${quote(n.name)}]`);
    if (opts.showSaved)
      for (const s of n.savedTensors()) {
        const sid = `s${saved++}`;
        lines.push(`  ${sid} [label=${quote(`${s.name}\n ${sizeStr(s.tensor.shape)}`)} fillcolor=orange]`);
        lines.push(`  ${sid} -> ${id(n)} [style=dotted dir=none]`);
      }
    for (const [next] of n.nextFunctions) if (next) lines.push(`  ${id(next)} -> ${id(n)}`);
  }
  lines.push(`  ${id(root.gradFn!)} -> out [style=dotted]`);
  lines.push('}');
  return lines.join('\n');
}

/** The tutorial's forward picture: tensors (ellipses) flow through operators (boxes) to the root on top. */
function forwardDot(root: TensorImpl, opts: DotOptions): string {
  const params = opts.params ?? {};
  const lines = header(opts.title, 'BT');
  const tensorIds = new Map<TensorImpl, string>();
  const tensorNode = (t: TensorImpl): string => {
    let s = tensorIds.get(t);
    if (!s) {
      tensorIds.set(t, (s = `t${tensorIds.size}`));
      const name = nameOf(params, t);
      const color = t.isLeaf
        ? t.requiresGrad
          ? 'lightblue'
          : 'white'
        : t === root
          ? 'darkolivegreen1'
          : 'lightyellow';
      lines.push(`  ${s} [shape=ellipse label=${quote(name ?? sizeStr(t.shape))} fillcolor=${color}]`);
    }
    return s;
  };
  // the tensor each node produced: a named param whose gradFn is that node, else a stand-in of its shape
  const producedBy = new Map<Node, TensorImpl>();
  for (const t of [root, ...Object.values(params)])
    if (t.gradFn && !producedBy.has(t.gradFn)) producedBy.set(t.gradFn, t);
  const outputOf = (n: Node): string => {
    const t = producedBy.get(n);
    if (t) return tensorNode(t);
    const key = `o${n.sequenceNr}`;
    if (!lines.some((l) => l.startsWith(`  ${key} `)))
      lines.push(
        `  ${key} [shape=ellipse label=${quote(sizeStr(n.outputMeta[0]?.shape ?? []))} fillcolor=lightyellow]`,
      );
    return key;
  };
  let ops = 0;
  const opIds = new Map<Node, string>();
  for (const n of nodesOf(root.gradFn!)) {
    if (n instanceof AccumulateGrad) continue;
    const op = `op${ops++}`;
    opIds.set(n, op);
    lines.push(`  ${op} [shape=box label=${quote(opLabel(n.name))} fillcolor=lightgrey]`);
    lines.push(`  ${op} -> ${outputOf(n)}`);
    const saved = n.savedTensors();
    n.nextFunctions.forEach(([next], i) => {
      let src: string | undefined;
      if (next instanceof AccumulateGrad) src = tensorNode(next.variable);
      else if (next) src = outputOf(next);
      else {
        // an input that needs no gradient: drawn when the node saved it (e.g. x in w·x)
        const s = saved.find((st) => st.name === (i === 0 ? 'self' : i === 1 ? 'other' : `input${i}`));
        if (s) src = tensorNode(s.tensor);
      }
      if (src) lines.push(`  ${src} -> ${op}`);
    });
  }
  lines.push('}');
  return lines.join('\n');
}

/**
 * Graphviz DOT text of a tensor's computation graph.
 * @example const dot = dotSource(z, { params: { x, w, b, y, z }, view: 'forward' });
 */
export function dotSource(root: TensorImpl, opts: DotOptions = {}): string {
  check(
    root.gradFn !== null,
    'makeDot: the tensor has no gradFn (it is a leaf or was computed without grad). Draw a tensor computed from ' +
      'tensors that require grad, outside noGrad.',
  );
  return (opts.view ?? 'backward') === 'forward' ? forwardDot(root, opts) : backwardDot(root, opts);
}
