import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kb, screenSize, SCREENS, SIZE_TARGET_KB } from '../../gateway/src/bench/screen-sizes.js';

// Reads the built UIs (kiosk-ui/dist, board-ui/dist: `npm run build` first, as `npm test` does):
// what each screen loads before it renders, gzipped, against issue 14's budgets for weak hardware.
describe('screen sizes as built', () => {
  for (const screen of SCREENS) {
    const target = SIZE_TARGET_KB[screen];
    it(`${screen}${target ? ` stays within ${target} kB gzip` : ' is measured'}`, () => {
      const size = screenSize(screen);
      // The page loads an entry script and at least one style sheet, all found on disk.
      expect(size.files.some((f) => f.path.endsWith('.js'))).toBe(true);
      expect(size.jsGz).toBeGreaterThan(0);
      if (target !== undefined) expect(kb(size.totalGz), size.files.map((f) => `${f.path} ${kb(f.gzBytes)} kB`).join('\n')).toBeLessThanOrEqual(target);
    });
  }

  // The phone page opens no MQTT link, and none of the bus or its client is in what it loads.
  it('the status page does not carry an MQTT client', () => {
    const size = screenSize('status');
    for (const file of size.files.filter((f) => f.path.endsWith('.js'))) {
      const text = readFileSync(new URL(`../../${file.path}`, import.meta.url), 'utf8');
      expect(/["'`]mqtt["'`]|\/mqtt\b/.test(text), `${file.path} speaks MQTT`).toBe(false);
    }
  });
});
