/**
 * @file pyplot in a real browser: the module bundled for the browser with esbuild (so no Node-only import may
 * leak in), loaded into headless Chromium (Debian's `chromium`, driven by playwright-core), `show()` draws into
 * the page, `toPNG()` works through a canvas, and a screenshot shows the plot.
 * Skipped, with the reason printed, where /usr/bin/chromium is absent.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, test } from 'vitest';
import { CHROMIUM, hasChromium, launchChromium } from '../helpers/chromium.js';

if (!hasChromium)
  console.log(`skipping the pyplot browser test: ${CHROMIUM} not found (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('pyplot in headless Chromium', () => {
  test('show() renders into the page and the screenshot has the plot', async () => {
    const { build } = await import('esbuild');
    const bundle = await build({
      entryPoints: [join(import.meta.dirname, '../../src/plot/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'plt',
      write: false,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0]?.text ?? '';
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 700, height: 520 } });
      await page.setContent('<!doctype html><html><body style="margin:0;background:#fff"></body></html>');
      await page.addScriptTag({ content: code });
      const result = await page.evaluate(async () => {
        const plt = (globalThis as unknown as { plt: typeof import('../../src/plot/index.js') }).plt;
        const x = Array.from({ length: 40 }, (_, i) => i / 4);
        plt.figure();
        plt.plot(x, x.map(Math.sin), 'r-', { label: 'sin', linewidth: 3 });
        plt.scatter(x, x.map(Math.cos), { label: 'cos', color: 'tab:blue' });
        plt.title('In the browser');
        plt.legend();
        const kind = await plt.displayKind();
        const png = await plt.gcf().toPNG();
        await plt.show();
        const svg = document.querySelector('.tsgrad-figure svg');
        return {
          kind,
          pngHead: Array.from(png.slice(0, 4)),
          width: svg?.getAttribute('width'),
          legend: Array.from(document.querySelectorAll('.legend-entry text')).map((t) => t.textContent),
          figures: document.querySelectorAll('.tsgrad-figure').length,
          box: svg?.getBoundingClientRect().toJSON() as { width: number; height: number },
        };
      });
      expect(result.kind).toBe('browser');
      expect(result.pngHead).toEqual([0x89, 0x50, 0x4e, 0x47]);
      expect(result.width).toBe('640');
      expect(result.legend).toEqual(['sin', 'cos']);
      expect(result.figures).toBe(1);
      expect(result.box.width).toBe(640);

      const shot = await page.screenshot({ clip: { x: 0, y: 0, width: 640, height: 480 } });
      const dir = mkdtempSync(join(tmpdir(), 'tsgrad-browser-'));
      writeFileSync(join(dir, 'browser.png'), shot);
      console.log(`browser screenshot: ${join(dir, 'browser.png')}`);
      const png = decode(shot);
      let red = 0;
      let dark = 0;
      for (let i = 0; i < png.width * png.height; i++) {
        const [r, g, b] = [
          png.data[i * png.channels],
          png.data[i * png.channels + 1],
          png.data[i * png.channels + 2],
        ] as number[];
        if ((r as number) > 200 && (g as number) < 60 && (b as number) < 60) red++;
        if ((r as number) < 60 && (g as number) < 60 && (b as number) < 60) dark++;
      }
      expect(red).toBeGreaterThan(500); // the thick sine line
      expect(dark).toBeGreaterThan(1500); // spines, ticks and text
    } finally {
      await browser.close();
    }
  });
});
