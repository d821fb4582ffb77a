/**
 * @file Test helpers for pyplot: parse SVG output into a DOM (linkedom) and read numbers out of it.
 */
import { DOMParser } from 'linkedom';

/** Parses SVG text into an XML document that supports querySelector. */
export function parseSvg(svg: string): Document {
  return new DOMParser().parseFromString(svg, 'image/svg+xml') as unknown as Document;
}

/** Text content of every element matching `selector`. */
export function texts(root: ParentNode, selector: string): string[] {
  return Array.from(root.querySelectorAll(selector)).map((e) => e.textContent ?? '');
}

/** The points of an `M x y L x y ...` path (also `H`/`V`/`h`/`v`-free polylines). */
export function pathPoints(d: string): [number, number][] {
  return [...d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** A tensor stand-in: what pyplot needs of a tsgrad Tensor (`shape` and `toArray()`). */
export class FakeTensor {
  constructor(
    readonly data: Float32Array,
    readonly shape: number[],
  ) {}
  toArray(): Float32Array {
    return this.data;
  }
}
