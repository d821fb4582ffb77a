/**
 * @file PNG output through resvg: the file decodes, has the requested size, and has ink where the data is
 * (coloured pixels on the lines and markers, dark pixels where text is) and white where nothing is drawn.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterEach, describe, expect, test } from 'vitest';
import * as plt from '../../src/plot/index.js';

afterEach(() => plt.close('all'));

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-plot-png-'));

function image(bytes: Uint8Array) {
  const png = decode(bytes);
  const at = (x: number, y: number) => {
    const i = (Math.round(y) * png.width + Math.round(x)) * png.channels;
    return [png.data[i], png.data[i + 1], png.data[i + 2]] as [number, number, number];
  };
  return { png, at };
}

describe('PNG rendering', () => {
  test('savefig writes a 640×480 PNG with the data drawn where it belongs', async () => {
    plt.figure();
    plt.plot([0, 1, 2, 3], [0, 1, 0, 1], 'r-', { linewidth: 3 });
    plt.plot([0, 1, 2, 3], [1, 0, 1, 0], 'bs', { markersize: 12 });
    plt.title('Zigzag');
    const path = await plt.savefig(join(dir, 'zigzag.png'));
    const { png, at } = image(readFileSync(path));
    expect([png.width, png.height]).toEqual([640, 480]);
    // Axes box 80..576 × 57.6..427.2; x limits [-0.15, 3.15], y limits [-0.05, 1.05].
    const X = (v: number) => 80 + ((v + 0.15) / 3.3) * 496;
    const Y = (v: number) => 427.2 - ((v + 0.05) / 1.1) * 369.6;
    // Red line between (0, 0) and (1, 1): its middle point is pure red.
    expect(at(X(0.5), Y(0.5))).toEqual([255, 0, 0]);
    // Blue square markers at (0, 1) and (1, 0).
    expect(at(X(0), Y(1))).toEqual([0, 0, 255]);
    expect(at(X(1), Y(0))).toEqual([0, 0, 255]);
    // Empty plot area and the figure margin are white; the left spine is black.
    expect(at(X(1.5), Y(0.9))).toEqual([255, 255, 255]);
    expect(at(10, 10)).toEqual([255, 255, 255]);
    expect(at(80, 240)).toEqual([0, 0, 0]);
    // The title is rendered text: dark pixels in its band above the axes.
    let dark = 0;
    for (let x = 280; x < 360; x++) for (let y = 35; y < 52; y++) if (at(x, y)[0] < 100) dark++;
    expect(dark).toBeGreaterThan(30);
  });

  test('dpi scales the picture; figsize sets its size', async () => {
    const fig = plt.figure({ figsize: [3, 2] });
    plt.plot([1, 2, 3]);
    const big = decode(await fig.toPNG({ dpi: 200 }));
    expect([big.width, big.height]).toEqual([600, 400]);
    const normal = decode(await fig.toPNG());
    expect([normal.width, normal.height]).toEqual([300, 200]);
  });

  test('transparent figures have a clear background', async () => {
    plt.figure();
    plt.plot([1, 2]);
    const png = decode(await plt.gcf().toPNG({ transparent: true }));
    expect(png.channels).toBe(4);
    expect(png.data[3]).toBe(0); // top-left pixel alpha
  });

  test('imshow pixels take the colormap colours, crisp at cell centres', async () => {
    plt.figure();
    plt.imshow(
      [
        [0, 1],
        [1, 0],
      ],
      { cmap: 'gray' },
    );
    const { at } = image(await plt.gcf().toPNG());
    // Square axes: the 2×2 image fills a 369.6 px square centred in the default box.
    const left = 80 + (496 - 369.6) / 2;
    const cell = 369.6 / 2;
    expect(at(left + cell / 2, 57.6 + cell / 2)).toEqual([0, 0, 0]);
    expect(at(left + 1.5 * cell, 57.6 + cell / 2)).toEqual([255, 255, 255]);
  });

  test('savefig picks the format from the extension and rejects unknown ones', async () => {
    plt.figure();
    plt.plot([1, 2]);
    const svg = await plt.savefig(join(dir, 'a.svg'));
    expect(readFileSync(svg, 'utf8').startsWith('<svg')).toBe(true);
    await expect(plt.savefig(join(dir, 'a.jpg'))).rejects.toThrow(/supported formats: png, svg/);
  });
});
