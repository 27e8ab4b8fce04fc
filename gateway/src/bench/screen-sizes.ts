import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * What each screen's page loads before it can render, as the gateway serves it from the built
 * UIs: the page's HTML, its entry script, every chunk the entry imports statically (Vite lists
 * them as `modulepreload`) and its style sheets, each gzipped at level 9 (what a gzip-serving
 * proxy sends). Chunks loaded later with `import()` are not in it: they are counted apart.
 */

export type ScreenName = 'board' | 'kiosk' | 'desk' | 'bay' | 'status';

/** Budgets in kB (1000 bytes) gzip, from issue 14's "weak hardware": lounge boards on cheap TV boxes, phones. */
export const SIZE_TARGET_KB: Partial<Record<ScreenName, number>> = { board: 100, kiosk: 100, status: 30 };

export interface ScreenSize {
  screen: ScreenName;
  /** The files loaded up front, each with its gzip size in bytes. */
  files: { path: string; bytes: number; gzBytes: number }[];
  jsGz: number;
  cssGz: number;
  /** HTML + JS + CSS, gzip bytes. */
  totalGz: number;
}

const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** Where each screen's index.html is, and which URL prefix its assets are served under. */
const PAGES: Record<ScreenName, { html: string; dist: string; prefix: string }> = {
  board: { html: 'board-ui/dist/index.html', dist: 'board-ui/dist', prefix: '/board/' },
  kiosk: { html: 'kiosk-ui/dist/kiosk/index.html', dist: 'kiosk-ui/dist', prefix: '/' },
  desk: { html: 'kiosk-ui/dist/desk/index.html', dist: 'kiosk-ui/dist', prefix: '/' },
  bay: { html: 'kiosk-ui/dist/bay/index.html', dist: 'kiosk-ui/dist', prefix: '/' },
  status: { html: 'kiosk-ui/dist/status/index.html', dist: 'kiosk-ui/dist', prefix: '/' },
};

export const SCREENS = Object.keys(PAGES) as ScreenName[];

const gz = (data: Buffer) => gzipSync(data, { level: 9 }).length;

/** The sizes of one screen's up-front files; throws when the UI is not built. */
export function screenSize(screen: ScreenName, repo = REPO): ScreenSize {
  const page = PAGES[screen];
  const htmlFile = join(repo, page.html);
  if (!existsSync(htmlFile)) throw new Error(`${page.html} is missing: run "npm run build" first`);
  const html = readFileSync(htmlFile);
  const refs = new Set<string>();
  for (const m of html.toString().matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+\.(?:js|css))"/g)) refs.add(m[1] ?? '');
  const files = [{ path: page.html, bytes: html.length, gzBytes: gz(html) }];
  let jsGz = 0;
  let cssGz = 0;
  for (const ref of refs) {
    if (!ref.startsWith(page.prefix)) throw new Error(`${page.html} loads ${ref}, outside ${page.prefix}`);
    const path = join(page.dist, ref.slice(page.prefix.length));
    const data = readFileSync(join(repo, path));
    const gzBytes = gz(data);
    files.push({ path, bytes: data.length, gzBytes });
    if (ref.endsWith('.js')) jsGz += gzBytes;
    else cssGz += gzBytes;
  }
  return { screen, files, jsGz, cssGz, totalGz: (files[0]?.gzBytes ?? 0) + jsGz + cssGz };
}

export const kb = (bytes: number) => Number((bytes / 1000).toFixed(1));

/** `node gateway/dist/bench/screen-sizes.js`: one line per screen. */
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const screen of SCREENS) {
    const size = screenSize(screen);
    const target = SIZE_TARGET_KB[screen];
    process.stdout.write(`${screen.padEnd(7)} ${String(kb(size.totalGz)).padStart(6)} kB gzip (JS ${kb(size.jsGz)}, CSS ${kb(size.cssGz)}, ${size.files.length} files)${target ? ` target ≤ ${target}` : ''}\n`);
  }
}
