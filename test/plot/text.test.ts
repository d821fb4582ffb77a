/**
 * @file The advance-width table in src/plot/text.ts against the DejaVu Sans TTF that PNG rendering uses
 * (read here with a small reader of the `cmap` format 4 and `hmtx` tables).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { textWidth } from '../../src/plot/text.js';

function advanceWidths(ttf: Buffer): Map<number, number> {
  const numTables = ttf.readUInt16BE(4);
  const tables = new Map<string, number>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    tables.set(ttf.toString('latin1', rec, rec + 4), ttf.readUInt32BE(rec + 8));
  }
  const hhea = tables.get('hhea') as number;
  const hmtx = tables.get('hmtx') as number;
  const cmap = tables.get('cmap') as number;
  const numberOfHMetrics = ttf.readUInt16BE(hhea + 34);
  const advance = (glyph: number) => ttf.readUInt16BE(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));
  // The Windows Unicode BMP subtable (platform 3, encoding 1), format 4.
  let sub = -1;
  for (let i = 0; i < ttf.readUInt16BE(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    if (ttf.readUInt16BE(rec) === 3 && ttf.readUInt16BE(rec + 2) === 1)
      sub = cmap + ttf.readUInt32BE(rec + 4);
  }
  expect(ttf.readUInt16BE(sub)).toBe(4);
  const segX2 = ttf.readUInt16BE(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const offsets = deltas + segX2;
  const out = new Map<number, number>();
  for (let s = 0; s < segX2 / 2; s++) {
    const end = ttf.readUInt16BE(ends + 2 * s);
    const start = ttf.readUInt16BE(starts + 2 * s);
    const delta = ttf.readInt16BE(deltas + 2 * s);
    const rangeOffset = ttf.readUInt16BE(offsets + 2 * s);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
      else {
        const at = offsets + 2 * s + rangeOffset + 2 * (c - start);
        glyph = ttf.readUInt16BE(at);
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      if (glyph !== 0) out.set(c, advance(glyph));
    }
  }
  return out;
}

describe('DejaVu Sans metrics', () => {
  const file = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  const widths = advanceWidths(readFileSync(file));

  test('every tabled character has the font file advance width', () => {
    const ranges = [
      [0x20, 0x7e],
      [0xa0, 0x17f],
      [0x391, 0x3c9],
      [0x2010, 0x203a],
      [0x2070, 0x208e],
      [0x2190, 0x2193],
      [0x2200, 0x2265],
    ];
    let checked = 0;
    for (const [a, b] of ranges)
      for (let c = a as number; c <= (b as number); c++) {
        const w = widths.get(c);
        if (w === undefined || w === 0) continue; // absent, or a zero-width control such as U+2028
        expect(textWidth(String.fromCodePoint(c), 2048), `U+${c.toString(16)}`).toBe(w);
        checked++;
      }
    expect(checked).toBeGreaterThan(500);
  });

  test('string widths add up, scaled by the font size', () => {
    // '0.00' at 10 px: three digits (1303) and a period (651) in 2048ths of an em.
    expect(textWidth('0.00', 10)).toBeCloseTo(((3 * 1303 + 651) / 2048) * 10, 10);
    expect(textWidth('', 12)).toBe(0);
  });
});
