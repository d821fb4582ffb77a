/**
 * @file The tqdm-style progress bar: its line format (percentage, bar, counts, times, rate, postfix), redraws in
 * place with carriage returns, and iteration over arrays, ranges and async iterables.
 */
import { describe, expect, test, vi } from 'vitest';
import { formatInterval, Tqdm, tqdm, trange } from '../../src/plot/progress.js';

function stream(columns?: number) {
  const writes: string[] = [];
  return {
    writes,
    file: {
      write: (s: string) => writes.push(s),
      isTTY: columns !== undefined,
      ...(columns ? { columns } : {}),
    },
    /** The last full line drawn. */
    last: () =>
      writes
        .filter((w) => w.startsWith('\r') && w.trim())
        .pop()
        ?.slice(1)
        .trimEnd() ?? '',
  };
}

describe('tqdm', () => {
  test('iterates and ends at 100% with counts, times and rate', () => {
    const out = stream();
    const seen: number[] = [];
    for (const i of trange(10, { file: out.file, mininterval: 0 })) seen.push(i);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(out.last()).toMatch(/^100%\|██████████\| 10\/10 \[00:00<00:00, +[\d.]+it\/s\]$/);
    expect(out.writes[out.writes.length - 1]).toBe('\n');
  });

  test('partial bars use eighth blocks; the bar fills the terminal width', () => {
    const out = stream(80);
    const bar = new Tqdm(undefined, { total: 16, file: out.file, desc: 'train' });
    bar.update(5);
    const line = String(bar);
    expect(line.length).toBe(80);
    expect(line).toMatch(/^train: {2}31%\|█+[▏▎▍▌▋▊▉]? *\| 5\/16 \[/);
    bar.close();
  });

  test('postfix values keep three significant digits, as tqdm', () => {
    const out = stream();
    const bar = tqdm([1, 2, 3], { file: out.file, mininterval: 0 });
    bar.setPostfix({ loss: 0.123456, step: 12 });
    expect(String(bar)).toMatch(/, loss=0\.123, step=12\]$/);
    expect(bar.total).toBe(3);
  });

  test('unknown totals show a count instead of a bar', () => {
    const out = stream();
    function* gen() {
      yield* [1, 2, 3];
    }
    const bar = tqdm(gen(), { file: out.file, mininterval: 0, unit: 'batch' });
    for (const _ of bar);
    expect(out.last()).toMatch(/^3batch \[00:00, +[\d.?]+batch\/s\]$/);
  });

  test('async iterables, start/stop/step ranges, and leave: false', async () => {
    const out = stream();
    async function* gen() {
      yield 'a';
      yield 'b';
    }
    const got: string[] = [];
    for await (const s of tqdm(gen(), { file: out.file, total: 2, leave: false })) got.push(s);
    expect(got).toEqual(['a', 'b']);
    expect(out.writes[out.writes.length - 1]).toMatch(/^\r +\r$/);
    expect([...trange(2, 10, 3, { disable: true })]).toEqual([2, 5, 8]);
  });

  test('write() prints above the bar; intervals format as MM:SS and H:MM:SS', () => {
    const out = stream();
    const bar = new Tqdm(undefined, { total: 2, file: out.file });
    bar.write('checkpoint saved');
    expect(out.writes.slice(-3)).toEqual([
      expect.stringMatching(/^\r +\r$/),
      'checkpoint saved\n',
      expect.stringMatching(/^\r {2}0%/),
    ]);
    // Tqdm.write (also used when a figure's path is printed) clears every open bar, logs, and redraws them.
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    Tqdm.write('figure saved');
    expect(log).toHaveBeenCalledWith('figure saved');
    expect(out.writes.slice(-2)).toEqual([
      expect.stringMatching(/^\r +\r$/),
      expect.stringMatching(/^\r {2}0%/),
    ]);
    log.mockRestore();
    bar.close();
    expect(formatInterval(75)).toBe('01:15');
    expect(formatInterval(3725)).toBe('1:02:05');
  });
});
