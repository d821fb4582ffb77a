/**
 * @file tsgrad/viz: DOT text of known graphs (nodes, labels, edges), and real Graphviz layout to SVG and PNG.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/index.js';
import { makeDot } from '../../src/viz/index.js';

function tutorialGraph() {
  torch.manualSeed(0);
  const x = new torch.Tensor([2]);
  const w = torch.randn(1, { requiresGrad: true });
  const b = torch.randn(1, { requiresGrad: true });
  const y = torch.mul(w, x);
  const z = torch.add(y, b);
  return { x, w, b, y, z };
}

/** `label -> label` pairs of the DOT edges, resolving node ids to their labels. */
function edges(dot: string): string[] {
  const labels = new Map<string, string>();
  for (const m of dot.matchAll(/^\s+(\w+) \[.*?label="([^"]*)"/gm)) labels.set(m[1]!, m[2]!.split('\\n')[0]!);
  return [...dot.matchAll(/^\s+(\w+) -> (\w+)/gm)].map((m) => `${labels.get(m[1]!)} -> ${labels.get(m[2]!)}`);
}

describe('makeDot', () => {
  it('draws the tutorial forward picture: ellipses x w b y z, boxes mul add, data-flow edges', () => {
    const params = tutorialGraph();
    const dot = makeDot(params.z, { params, view: 'forward' }).source;
    for (const v of ['x', 'w', 'b', 'y', 'z']) expect(dot).toMatch(new RegExp(`shape=ellipse label="${v}"`));
    expect(dot).toMatch(/shape=box label="mul"/);
    expect(dot).toMatch(/shape=box label="add"/);
    expect(edges(dot).sort()).toEqual([
      'add -> z',
      'b -> add',
      'mul -> y',
      'w -> mul',
      'x -> mul',
      'y -> add',
    ]);
    expect(dot).toContain('rankdir=BT'); // leaves at the bottom, the root on top
  });

  it('draws the autograd graph as torchviz does: gradFn names, named leaves, saved tensors', () => {
    const { w, b, z } = tutorialGraph();
    const loss = z.pow(2).sum();
    const dot = makeDot(loss, { params: { w, b }, showSaved: true }).source;
    expect(edges(dot).sort()).toEqual(
      [
        'AddBackward0 -> PowBackward0',
        'MulBackward0 -> AddBackward0',
        'PowBackward0 -> SumBackward0',
        'SumBackward0 -> ()',
        'b -> AddBackward0',
        'other -> MulBackward0',
        'self -> PowBackward0',
        'w -> MulBackward0',
      ].sort(),
    );
    expect(dot).toMatch(/label="w\\n \(1,\)" fillcolor=lightblue/);
    expect(dot).toMatch(/fillcolor=darkolivegreen1/);
  });

  it('refuses a tensor without a graph, saying what to do', () => {
    expect(() => makeDot(torch.ones(2))).toThrow(/no gradFn[\s\S]*require grad/);
  });

  it('lays out SVG with Graphviz and saves SVG and PNG files', async () => {
    const params = tutorialGraph();
    const g = makeDot(params.z, { params, view: 'forward' });
    const svg = await g.toSVG();
    expect(svg).toContain('<svg');
    for (const label of ['>x<', '>w<', '>b<', '>y<', '>z<', '>mul<', '>add<']) expect(svg).toContain(label);
    expect((svg.match(/<ellipse/g) ?? []).length).toBe(5);
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-viz-'));
    const svgPath = await g.save(join(dir, 'graph.svg'));
    expect(readFileSync(svgPath, 'utf8')).toBe(svg);
    const png = decode(readFileSync(await g.save(join(dir, 'graph.png'))));
    expect(png.width).toBeGreaterThan(100);
    expect(png.height).toBeGreaterThan(200);
    await expect(g.save(join(dir, 'graph.gif'))).rejects.toThrow(/\.svg or \.png/);
  });
});
