/**
 * @file The live training curve: each update redraws one PNG in place (Node), with one line per recorded name,
 * and the legend shows the latest values.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, test, vi } from 'vitest';
import * as plt from '../../src/plot/index.js';
import { parseSvg, texts } from './helpers.js';

describe('LivePlot', () => {
  test('writes the curve to a file at every update and prints its path once', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const path = join(mkdtempSync(join(tmpdir(), 'tsgrad-live-')), 'loss.png');
    const live = new plt.LivePlot({ path, logy: true, title: 'training' });
    for (let step = 0; step < 5; step++) {
      await live.update({ train: 1 / (step + 1), val: { item: () => 1.2 / (step + 1) } });
      expect(decode(readFileSync(path)).width).toBe(640);
    }
    await live.close();
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]?.[0]).toBe(`Figure saved to ${path}`);
    const doc = parseSvg(live.figure.toSVG());
    expect(texts(doc, '.legend-entry text')).toEqual(['train 0.2000', 'val 0.2400']);
    expect(doc.querySelectorAll('path.line')).toHaveLength(2);
    expect(texts(doc, '.title')).toEqual(['training']);
    expect(live.history.get('train')?.x).toEqual([0, 1, 2, 3, 4]);
    log.mockRestore();
  });

  test('updates that arrive while drawing are merged into one more draw', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tsgrad-live-')), 'fast.png');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const live = new plt.LivePlot({ path });
    const draws = vi.spyOn(live.figure, 'toPNG');
    await Promise.all(Array.from({ length: 10 }, (_, i) => live.update({ loss: 1 / (i + 1) })));
    expect(draws.mock.calls.length).toBeLessThan(10);
    expect(live.history.get('loss')?.y).toHaveLength(10);
    log.mockRestore();
  });
});
