import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { DeviceRegistry, REPEAT_WRITE_MS } from '../../../gateway/src/store/device-registry.js';

describe('device registry', () => {
  let dir = '';
  let db: Db | undefined;
  afterEach(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a changed state at once and a repeated one at most once a minute', () => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-devices-'));
    db = openDatabase(dir);
    const registry = new DeviceRegistry(db);
    const at = (ms: number) => new Date(Date.parse('2026-03-02T01:00:00Z') + ms).toISOString();
    const ok = { kind: 'printer', online: true, health: 'ok' } as const;
    const seen = () => new DeviceRegistry(db!).list().find((d) => d.id === 'printer-1');

    expect(registry.record('printer-1', { ...ok, at: at(0) })).toBe(true);
    expect(registry.record('printer-1', { ...ok, at: at(5_000) })).toBe(false);
    expect(seen()?.at).toBe(at(0));
    // A change is written whatever the time.
    expect(registry.record('printer-1', { ...ok, health: 'warning', reason: 'paper-low', at: at(6_000) })).toBe(true);
    expect(seen()).toMatchObject({ health: 'warning', reason: 'paper-low', at: at(6_000) });
    expect(registry.record('printer-1', { ...ok, at: at(7_000) })).toBe(true);
    // The same state a minute after the last write: written, so `last seen` stays within a minute.
    expect(registry.record('printer-1', { ...ok, at: at(7_000 + REPEAT_WRITE_MS - 1) })).toBe(false);
    expect(registry.record('printer-1', { ...ok, at: at(7_000 + REPEAT_WRITE_MS) })).toBe(true);
    expect(seen()?.at).toBe(at(7_000 + REPEAT_WRITE_MS));
    // Another device is its own.
    expect(registry.record('printer-2', { ...ok, at: at(8_000) })).toBe(true);
  });
});
