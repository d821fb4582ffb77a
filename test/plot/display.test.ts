/**
 * @file Where `show()` puts figures: a PNG file with its path printed in plain Node, Deno's Jupyter display
 * (through `Deno.jupyter.display`), tslab's display (found among loaded modules), and live redraws in place.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import * as plt from '../../src/plot/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-plot-show-'));
beforeEach(() => {
  process.env.TSGRAD_PYPLOT_DIR = dir;
});
afterEach(() => {
  plt.close('all');
  vi.restoreAllMocks();
  delete (globalThis as { Deno?: unknown }).Deno;
});

describe('show() in plain Node', () => {
  test('writes each open figure to a PNG, prints the path, and closes the figures', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    plt.figure();
    plt.plot([1, 2, 3]);
    plt.figure();
    plt.hist([1, 2, 2, 3]);
    expect(await plt.displayKind()).toBe('node');
    const paths = await plt.show();
    expect(paths).toEqual([join(dir, 'figure-1.png'), join(dir, 'figure-2.png')]);
    for (const p of paths) expect(decode(readFileSync(p)).width).toBe(640);
    expect(log.mock.calls.map((c) => c[0])).toEqual([
      `Figure 1 saved to ${paths[0]}`,
      `Figure 2 saved to ${paths[1]}`,
    ]);
    expect(plt.getFignums()).toEqual([]);
  });

  test('pause() redraws in place and prints the path once', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      losses.push(1 / (step + 1));
      plt.figure(1);
      plt.cla();
      plt.plot(losses);
      await plt.pause(0);
    }
    expect(log).toHaveBeenCalledTimes(1);
    expect(existsSync(join(dir, 'figure-1.png'))).toBe(true);
    expect(plt.getFignums()).toEqual([1]);
  });
});

describe('notebooks', () => {
  test("Deno's Jupyter kernel gets an SVG display bundle", async () => {
    const display = vi.fn(async () => {});
    (globalThis as { Deno?: unknown }).Deno = { jupyter: { display } };
    expect(await plt.displayKind()).toBe('jupyter');
    plt.figure();
    plt.plot([1, 2]);
    expect(await plt.show()).toEqual([]);
    const [bundle, opts] = display.mock.calls[0] as unknown as [Record<string, string>, { raw: boolean }];
    expect(bundle['image/svg+xml']?.startsWith('<svg')).toBe(true);
    expect(bundle['text/plain']).toBe('<Figure size 640x480 with 1 Axes>');
    expect(opts.raw).toBe(true);
  });

  test('live updates in Deno reuse one display id', async () => {
    const display = vi.fn(async () => {});
    (globalThis as { Deno?: unknown }).Deno = { jupyter: { display } };
    plt.figure();
    plt.plot([1, 2]);
    await plt.draw();
    await plt.draw();
    const calls = display.mock.calls as unknown as [unknown, { display_id: string; update: boolean }][];
    expect(calls[0]?.[1].update).toBe(false);
    expect(calls[1]?.[1].update).toBe(true);
    expect(calls[1]?.[1].display_id).toBe(calls[0]?.[1].display_id);
  });

  test('a Deno process outside a notebook (where Deno.jupyter throws) is not a notebook', async () => {
    (globalThis as { Deno?: unknown }).Deno = {
      get jupyter() {
        throw new Error('Deno.jupyter is only available in `deno jupyter` subcommand');
      },
    };
    expect(await plt.displayKind()).toBe('node');
  });

  test('figures are displayable objects for kernels (Symbol.for("Jupyter.display"))', () => {
    const fig = plt.figure();
    const show = (fig as unknown as Record<symbol, () => Record<string, string>>)[
      Symbol.for('Jupyter.display')
    ];
    expect(show?.call(fig)['image/svg+xml']).toContain('<svg');
  });

  test('tslab: its display is found through the modules its kernel loaded', async () => {
    // A stand-in tslab install: dist/jupyter.js (loaded by the kernel) and dist/public.js (display, newDisplay).
    const dist = join(dir, 'node_modules', 'tslab', 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'jupyter.js'), 'module.exports = { shown: [] };');
    writeFileSync(
      join(dist, 'public.js'),
      `const j = require('./jupyter.js');
       exports.display = { svg: (s) => j.shown.push(['display', s]) };
       exports.newDisplay = () => ({ svg: (s) => j.shown.push(['live', s]) });`,
    );
    const req = createRequire(import.meta.url);
    const jupyter = req(join(dist, 'jupyter.js')) as { shown: [string, string][] };
    try {
      expect(await plt.displayKind()).toBe('tslab');
      plt.figure();
      plt.plot([1, 2]);
      await plt.draw();
      await plt.show();
      expect(jupyter.shown.map(([kind, svg]) => [kind, svg.slice(0, 4)])).toEqual([
        ['live', '<svg'],
        ['display', '<svg'],
      ]);
    } finally {
      delete req.cache[join(dist, 'jupyter.js')];
      delete req.cache[join(dist, 'public.js')];
    }
  });
});
