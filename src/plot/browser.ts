/**
 * @file Browser-only pieces: drawing a figure into the page, PNG through a canvas, and downloads for `savefig`.
 */

/**
 * True where there is a DOM to draw into.
 * @example if (isBrowser()) plt.show();
 */
export function isBrowser(): boolean {
  return typeof document !== 'undefined' && typeof document.createElement === 'function';
}

const nodes = new WeakMap<object, HTMLElement>();

/**
 * Puts the figure's SVG into the page: into `target` when given, else into the element it was shown in
 * before (so live updates redraw in place), else into a new `<div class="tsgrad-figure">` at the end of the body.
 * @example showInPage(fig, fig.toSVG(), document.getElementById('plot'));
 */
export function showInPage(key: object, svg: string, target?: Element): HTMLElement {
  let node = nodes.get(key);
  if (target) {
    node = document.createElement('div');
    target.replaceChildren(node);
  } else if (!node?.isConnected) {
    node = document.createElement('div');
    document.body.appendChild(node);
  }
  node.className = 'tsgrad-figure';
  node.innerHTML = svg;
  nodes.set(key, node);
  return node;
}

/**
 * Renders SVG to PNG bytes with a canvas (the page's fonts are used for text).
 * @example const png = await pngInBrowser(fig.toSVG(), 640, 480);
 */
export async function pngInBrowser(svg: string, width: number, height: number): Promise<Uint8Array> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image(width, height);
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width);
    canvas.height = Math.round(height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('Cannot render PNG: this browser gives no 2-D canvas context');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((done) => canvas.toBlob(done, 'image/png'));
    if (!blob) throw new Error('Cannot render PNG: the canvas produced no image');
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Offers data as a file download (what `savefig(name)` does in a browser).
 * @example download(svgText, 'plot.svg', 'image/svg+xml');
 */
export function download(data: Uint8Array | string, filename: string, type: string): void {
  const blob = new Blob([typeof data === 'string' ? data : data.slice().buffer], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename.split(/[\\/]/).pop() ?? filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
