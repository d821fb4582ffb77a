/**
 * @file Node-only pieces (files, PNG through resvg with the DejaVu Sans font from `dejavu-fonts-ttf`, finding
 * tslab), loaded with import specifiers that bundlers leave alone, so a browser bundle never pulls them in.
 */
import type * as Fs from 'node:fs/promises';
import type * as Module from 'node:module';
import type * as Os from 'node:os';
import type * as Path from 'node:path';
import type * as ResvgJs from '@resvg/resvg-js';

// A specifier in a variable is one bundlers cannot follow; the comments keep Vite and webpack quiet about it.
const load = <T>(specifier: string): Promise<T> =>
  import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;

/**
 * True in Node (and Deno or Bun running Node code), where files can be written and PNGs rendered with resvg.
 * @example if (isNode()) await fig.savefig('plot.png');
 */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

let fontFile: string | undefined;

async function requireFromHere(): Promise<NodeJS.Require> {
  const { createRequire } = await load<typeof Module>('node:module');
  return createRequire(import.meta.url);
}

/**
 * Renders SVG text to PNG bytes with resvg, text in DejaVu Sans shipped by npm (no system fonts are read),
 * scaled by `zoom`.
 * @example const png = await svgToPng(fig.toSVG(), 2); // twice the figure's pixel size
 */
export async function svgToPng(svg: string, zoom = 1): Promise<Uint8Array> {
  let resvg: typeof ResvgJs;
  try {
    resvg = await load<typeof ResvgJs>('@resvg/resvg-js');
  } catch (e) {
    throw new Error(
      `PNG output needs the package @resvg/resvg-js and its prebuilt binary for ${process.platform}-${process.arch}; ` +
        `reinstall with 'npm install @resvg/resvg-js', or save as .svg instead (${(e as Error).message})`,
    );
  }
  fontFile ??= (await requireFromHere()).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  const image = await resvg.renderAsync(svg, {
    font: {
      fontFiles: [fontFile],
      loadSystemFonts: false,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    fitTo: zoom === 1 ? { mode: 'original' } : { mode: 'zoom', value: zoom },
    logLevel: 'off',
  });
  return new Uint8Array(image.asPng());
}

/**
 * Writes a file, creating its folder, through a temporary file and a rename so that a viewer watching the
 * path never sees half a picture.
 * @example await writeFileAtomic('out/loss.png', png);
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<string> {
  const fs = await load<typeof Fs>('node:fs/promises');
  const { dirname, resolve } = await load<typeof Path>('node:path');
  const full = resolve(path);
  await fs.mkdir(dirname(full), { recursive: true });
  const tmp = `${full}.${process.pid}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, full);
  return full;
}

/**
 * Where `show()` writes a figure in a plain Node process: `<stem>.png` in `$TSGRAD_PYPLOT_DIR`, else in
 * `tsgrad-pyplot` under the system temp folder.
 * @example await showPath('figure-1') // '/tmp/tsgrad-pyplot/figure-1.png'
 */
export async function showPath(stem: string): Promise<string> {
  const { tmpdir } = await load<typeof Os>('node:os');
  const { join } = await load<typeof Path>('node:path');
  const dir = process.env.TSGRAD_PYPLOT_DIR ?? join(tmpdir(), 'tsgrad-pyplot');
  return join(dir, `${stem}.png`);
}

/**
 * The part of tslab's `display` that pyplot uses.
 * @example (await findTslab())?.display.svg(fig.toSVG());
 */
export interface TslabDisplay {
  svg(s: string): void;
}

/**
 * The part of the `tslab` module that pyplot uses: `display`, and `newDisplay()` for one updatable output.
 * @example const out = (await findTslab())?.newDisplay(); out?.svg(fig.toSVG());
 */
export interface Tslab {
  readonly display: TslabDisplay;
  newDisplay(): TslabDisplay;
}

/**
 * The `tslab` module of the running tslab kernel, found among loaded CommonJS modules, or null outside tslab.
 * @example const t = await findTslab(); t?.display.svg(fig.toSVG());
 */
export async function findTslab(): Promise<Tslab | null> {
  if (!isNode()) return null;
  // The kernel has loaded tslab's own modules; its public module shares their state (the Jupyter connection).
  const req = await requireFromHere();
  for (const key of Object.keys(req.cache)) {
    const dist = /^(.*[\\/]tslab[\\/]dist[\\/])[^\\/]+\.js$/.exec(key)?.[1];
    if (!dist) continue;
    try {
      const mod = req(`${dist}public.js`) as Partial<Tslab>;
      if (typeof mod.display?.svg === 'function' && typeof mod.newDisplay === 'function') return mod as Tslab;
    } catch {
      // Not a usable tslab install; keep looking.
    }
  }
  return null;
}
