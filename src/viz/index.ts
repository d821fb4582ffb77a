/**
 * @file tsgrad/viz: `makeDot(tensor, { params })`, torchviz-style drawings of the autograd graph, laid out by
 * Graphviz compiled to WebAssembly (@viz-js/viz), written as SVG or PNG.
 */
import type { TensorImpl } from '../graph/tensor-impl.js';
import { type DotOptions, dotSource } from './graph.js';

export type { DotOptions } from './graph.js';
export { opLabel } from './graph.js';

let vizInstance: Promise<{
  renderString(src: string, o: { format: string; engine?: string }): string;
}> | null = null;

/** Lays DOT text out to SVG with Graphviz (WebAssembly, no system Graphviz needed). @example await dotToSVG('digraph { a -> b }') */
export async function dotToSVG(source: string): Promise<string> {
  vizInstance ??= import('@viz-js/viz').then((m) => m.instance());
  const viz = await vizInstance;
  return viz.renderString(source, { format: 'svg', engine: 'dot' });
}

/**
 * A drawn graph: `.source` is the DOT text; `toSVG()` lays it out; `save(path)` writes `.svg` or `.png`.
 * @example const g = makeDot(loss, { params: { w, b } }); await g.save('graph.svg');
 */
export class Digraph {
  constructor(
    /** Graphviz DOT text. */
    readonly source: string,
  ) {}
  /** The laid-out SVG. @example const svg = await g.toSVG(); */
  toSVG(): Promise<string> {
    return dotToSVG(this.source);
  }
  /** Writes `path` (.svg or .png, in Node) and returns the absolute path. @example await g.save('graph.png') */
  async save(path: string): Promise<string> {
    const svg = await this.toSVG();
    const { svgToPng, writeFileAtomic } = await import('../plot/node.js');
    if (/\.png$/i.test(path)) return writeFileAtomic(path, await svgToPng(svg, 2));
    if (/\.svg$/i.test(path)) return writeFileAtomic(path, svg);
    throw new Error(`makeDot().save: unsupported file type in '${path}'; use a .svg or .png file name`);
  }
  /** Renders inline in notebooks (Jupyter/Deno) that look for this method. @internal */
  async [Symbol.for('Jupyter.display')](): Promise<Record<string, string>> {
    return { 'image/svg+xml': await this.toSVG() };
  }
}

/**
 * Draws the computation graph that produced `root` (torchviz's make_dot): leaves named from `params`,
 * operators labelled with their gradFn names; `{ view: 'forward' }` draws variables as ellipses and
 * operators as boxes instead.
 * @example
 * const g = makeDot(z, { params: { x, w, b, y, z }, view: 'forward' });
 * await g.save('graph.svg');
 */
export function makeDot(root: TensorImpl, opts: DotOptions = {}): Digraph {
  return new Digraph(dotSource(root, opts));
}
