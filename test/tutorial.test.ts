/**
 * @file The tutorial's two programs print, line by line, exactly what PyTorch printed for the same programs
 * (test/fixtures/tutorial.json, made by scripts/fixtures/tutorial.py with real PyTorch).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { graphProgram, regressionProgram } from '../examples/tutorial-programs.js';
import fixture from './fixtures/tutorial.json' with { type: 'json' };

function capture(run: (print: (...v: unknown[]) => void) => unknown): string[] {
  const lines: string[] = [];
  run((...values) => lines.push(values.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' ')));
  return lines;
}

describe('the autograd tutorial', () => {
  it('program 1 (graph, flags, backward) prints what PyTorch prints', () => {
    expect(capture(graphProgram)).toEqual(fixture.graph);
  });

  it('program 2 (800-step regression) prints what PyTorch prints', () => {
    const lines = capture((p) => regressionProgram(p));
    expect(lines).toEqual(fixture.regression);
    expect(lines[0]).toBe('tensor([[0.2437]], requires_grad=True)');
    expect(lines.at(-2)).toBe('tensor([[2.9668]], requires_grad=True)');
    expect(lines.at(-1)).toBe('tensor([[2.1138]], requires_grad=True)');
  });
});
