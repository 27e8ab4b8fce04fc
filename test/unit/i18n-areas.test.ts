import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auth } from '../../screen-lib/src/i18n/auth.js';
import { backups } from '../../screen-lib/src/i18n/backups.js';
import { board } from '../../screen-lib/src/i18n/board.js';
import { common } from '../../screen-lib/src/i18n/common.js';
import { desk } from '../../screen-lib/src/i18n/desk.js';
import { headOffice } from '../../screen-lib/src/i18n/head-office.js';
import { kiosk } from '../../screen-lib/src/i18n/kiosk.js';
import { members } from '../../screen-lib/src/i18n/members.js';
import { pairing } from '../../screen-lib/src/i18n/pairing.js';
import { printing } from '../../screen-lib/src/i18n/printing.js';
import { statistics } from '../../screen-lib/src/i18n/statistics.js';
import { survey } from '../../screen-lib/src/i18n/survey.js';
import { workshop } from '../../screen-lib/src/i18n/workshop.js';
import { workshopPublic } from '../../screen-lib/src/i18n/workshop-public.js';

// Each page's main.ts declares the dictionary areas its screen carries (useMessages): this test
// walks the screen's imports and checks that every message key its code names, whole ('ws.stage.x')
// or as the start of a built key (`ws.stage.${…}`), is in one of those areas.

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const AREAS: Record<string, Record<string, string>> = {
  auth: auth.en, backups: backups.en, board: board.en, common: common.en, desk: desk.en, headOffice: headOffice.en,
  kiosk: kiosk.en, members: members.en, pairing: pairing.en, printing: printing.en, statistics: statistics.en, survey: survey.en, workshop: workshop.en, workshopPublic: workshopPublic.en,
};
const ALL_KEYS = Object.values(AREAS).flatMap((a) => Object.keys(a));

const ENTRIES = {
  board: 'board-ui/src/main.ts',
  kiosk: 'kiosk-ui/src/kiosk/main.ts',
  desk: 'kiosk-ui/src/desk/main.ts',
  bay: 'kiosk-ui/src/bay/main.ts',
  status: 'kiosk-ui/src/status/main.ts',
};

function resolveImport(from: string, spec: string): string | undefined {
  let path: string;
  if (spec.startsWith('@forecourt/screen-lib/')) path = join(REPO, 'screen-lib/src', spec.slice('@forecourt/screen-lib/'.length));
  else if (spec.startsWith('.')) path = normalize(join(dirname(from), spec));
  else return undefined;
  return [path, path.replace(/\.js$/, '.ts'), `${path}.ts`].find((p) => existsSync(p) && !p.endsWith('.css'));
}

/** The screen's own source files (not the dictionaries). */
function sourcesOf(entry: string): string[] {
  const seen = new Set<string>();
  const stack = [join(REPO, entry)];
  for (let file = stack.pop(); file; file = stack.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
      const next = resolveImport(file, m[1] ?? '');
      if (next && !next.includes('/screen-lib/src/i18n/')) stack.push(next);
    }
  }
  return [...seen];
}

/** The areas the page's main.ts declares, and those a part loaded later with import() adds. */
function declaredAreas(entry: string): string[] {
  return sourcesOf(entry).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/useMessages\(([^)]*)\)/g)].flatMap((call) => (call[1] ?? '').split(',').map((s) => s.trim()).filter((s) => /^\w+$/.test(s))),
  );
}

describe('each screen carries the message areas its code uses', () => {
  for (const [screen, entry] of Object.entries(ENTRIES)) {
    it(screen, () => {
      const areas = declaredAreas(entry);
      for (const area of areas) expect(Object.keys(AREAS), `${entry} declares an unknown area`).toContain(area);
      const keys = new Set(areas.flatMap((a) => Object.keys(AREAS[a] ?? {})));
      const missing = new Set<string>();
      for (const file of sourcesOf(entry)) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/['"`]([a-zA-Z]+(?:\.[\w-]+)+)['"`]/g)) {
          const key = m[1] ?? '';
          if (ALL_KEYS.includes(key) && !keys.has(key)) missing.add(`${key} (${file.slice(REPO.length + 1)})`);
        }
        for (const m of text.matchAll(/`([a-zA-Z]+\.[\w.-]*)\$\{/g)) {
          const prefix = m[1] ?? '';
          if (ALL_KEYS.some((k) => k.startsWith(prefix)) && ![...keys].some((k) => k.startsWith(prefix))) missing.add(`${prefix}… (${file.slice(REPO.length + 1)})`);
        }
      }
      expect([...missing]).toEqual([]);
    });
  }
});
