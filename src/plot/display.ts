/**
 * @file Where `show()` and live redraws put a figure: inline in a Jupyter notebook (Deno's kernel, tslab), into
 * the page in a browser, or into a PNG file whose path is printed in a plain Node process.
 */
import { isBrowser, showInPage } from './browser.js';
import type { Figure } from './figure.js';
import { findTslab, isNode, showPath, type TslabDisplay, writeFileAtomic } from './node.js';
import { Tqdm } from './progress.js';

/**
 * Where figures are shown: `'jupyter'` (Deno's kernel), `'tslab'`, `'browser'` or `'node'` (a file).
 * @example const where: DisplayKind = await plt.displayKind();
 */
export type DisplayKind = 'jupyter' | 'tslab' | 'browser' | 'node';

/**
 * Options of `show()` and live updates.
 * @example await plt.show({ target: document.getElementById('plot') ?? undefined });
 */
export interface ShowOptions {
  /** Browser: the element to draw into (default: a new `<div>` at the end of the page). */
  target?: Element;
  /** Node: the file to write (default `$TSGRAD_PYPLOT_DIR/figure-<n>.png`, or the temp folder). */
  path?: string;
}

interface DenoJupyter {
  display(obj: unknown, opts?: { raw?: boolean; update?: boolean; display_id?: string }): Promise<void>;
}

// Deno throws when `Deno.jupyter` is read outside a notebook, so the read is guarded.
function denoJupyter(): DenoJupyter | null {
  try {
    const j = (globalThis as { Deno?: { jupyter?: Partial<DenoJupyter> } }).Deno?.jupyter;
    return typeof j?.display === 'function' ? (j as DenoJupyter) : null;
  } catch {
    return null;
  }
}

/**
 * Which kind of display this process has.
 * @example await displayKind() // 'node'
 */
export async function displayKind(): Promise<DisplayKind> {
  if (denoJupyter()) return 'jupyter';
  if (await findTslab()) return 'tslab';
  if (isBrowser()) return 'browser';
  if (isNode()) return 'node';
  throw new Error('show() found no display: no Jupyter kernel, no DOM, and no Node file system');
}

const liveIds = new WeakMap<Figure, { jupyter?: string; tslab?: TslabDisplay; printed?: string }>();

/**
 * Shows one figure. With `live`, repeated calls replace the same output (notebook cell output, page element,
 * file) instead of adding new ones. Resolves with the file written in Node, else null.
 * @example await displayFigure(fig, { live: true });
 */
export async function displayFigure(
  fig: Figure,
  opts: ShowOptions & { live?: boolean; stem?: string } = {},
): Promise<string | null> {
  const state = liveIds.get(fig) ?? {};
  liveIds.set(fig, state);
  const jupyter = denoJupyter();
  if (jupyter) {
    const bundle = { 'image/svg+xml': fig.toSVG(), 'text/plain': fig.toString() };
    if (!opts.live) await jupyter.display(bundle, { raw: true });
    else {
      const update = state.jupyter !== undefined;
      state.jupyter ??= `tsgrad-figure-${Math.random().toString(36).slice(2)}`;
      await jupyter.display(bundle, { raw: true, display_id: state.jupyter, update });
    }
    return null;
  }
  const tslab = await findTslab();
  if (tslab) {
    const target = opts.live ? (state.tslab ??= tslab.newDisplay()) : tslab.display;
    target.svg(fig.toSVG());
    return null;
  }
  if (isBrowser()) {
    showInPage(fig, fig.toSVG(), opts.target);
    return null;
  }
  if (isNode()) {
    const file = opts.path ?? (await showPath(opts.stem ?? `figure-${fig.number}`));
    const path = await writeFileAtomic(file, await fig.toPNG());
    if (!opts.live || state.printed !== path)
      Tqdm.write(`${fig.number ? `Figure ${fig.number}` : 'Figure'} saved to ${path}`);
    state.printed = path;
    return path;
  }
  throw new Error('show() found no display: no Jupyter kernel, no DOM, and no Node file system');
}
