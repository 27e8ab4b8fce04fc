import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../../gateway/src/config/schema.js';
import { Backups } from '../../../gateway/src/extensions/backups.js';
import type { ExtensionContext } from '../../../gateway/src/extensions/extension.js';
import { GatewayMetrics } from '../../../gateway/src/observability/metrics.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';

// The schedule as the extension runs it, on an injected clock: nothing at start while a recent
// copy exists, a backup once the store clock passes 03:00, and one at start when the gateway was
// off at that hour.

let dir: string;
let db: Db;
let clock: Date;

function context(): ExtensionContext {
  const config = ConfigSchema.parse({ store: { id: 'store-1', timeZone: 'Asia/Shanghai' } });
  config.dataDir = dir;
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() } as unknown as Logger;
  return { db, config, now: () => clock, log, metrics: new GatewayMetrics({ connectedClients: () => 0, databaseBytes: () => 0 }) } as unknown as ExtensionContext;
}
const copies = () => readdirSync(join(dir, 'backups')).filter((f) => !f.startsWith('.')).sort();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forecourt-schedule-'));
  db = openDatabase(dir);
  mkdirSync(join(dir, 'backups'));
  // Last night's copy (only its name matters to the schedule).
  writeFileSync(join(dir, 'backups', 'forecourt-2026-12-01T030000+0800.sqlite'), 'copy');
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(() => {
  vi.useRealTimers();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('scheduled backups', () => {
  it('waits for 03:00 of the store clock, then backs up once', async () => {
    clock = new Date('2026-12-01T12:00:00+08:00');
    const backups = new Backups(context());
    await backups.start();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(copies()).toEqual(['forecourt-2026-12-01T030000+0800.sqlite']);

    clock = new Date('2026-12-02T02:59:00+08:00');
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(copies()).toHaveLength(1);

    clock = new Date('2026-12-02T03:00:30+08:00');
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    await vi.waitFor(() => expect(copies()).toContain('forecourt-2026-12-02T030030+0800.sqlite'), { timeout: 10_000 });
    // Not again until tomorrow.
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(copies()).toHaveLength(2);
    expect(backups.status().last).toMatchObject({ ok: true, file: 'forecourt-2026-12-02T030030+0800.sqlite' });
    await backups.stop();
  });

  it('backs up at start when the gateway was off at 03:00 and the newest copy is over a day old', async () => {
    clock = new Date('2026-12-03T09:15:00+08:00');
    const backups = new Backups(context());
    await backups.start();
    await vi.waitFor(() => expect(copies()).toContain('forecourt-2026-12-03T091500+0800.sqlite'), { timeout: 10_000 });
    await backups.stop();
  });
});
