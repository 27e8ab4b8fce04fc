import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, DatabaseTooNewError, DeviceRegistry, MIGRATIONS, openDatabase } from '@forecourt/gateway';
import { topics } from '@forecourt/gateway/protocol';
import { startTestGateway } from '../support/gateway.js';
import { connectClient } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';
import { deviceLogin } from '../support/identities.js';

describe('persistence', () => {
  it('keeps what it learned across a restart on the same data dir', async () => {
    const first = await startTestGateway();
    const device = await connectClient(first.mqttUrl, deviceLogin(first.gateway, 'dispenser-9', 'dispenser'));
    const at = new Date().toISOString();
    await device.publishAsync(topics.deviceState(first.config.store.id, 'dispenser-9'), JSON.stringify({ kind: 'dispenser', online: true, health: 'warning', reason: 'paper-low', at }), { qos: 1, retain: true });
    await device.endAsync();
    await first.stop();

    const second = await startTestGateway({ dataDir: first.dataDir });
    try {
      // Read through a separate connection to the same file: the gateway's writes are on disk.
      const db = openDatabase(second.dataDir);
      const found = new DeviceRegistry(db).list().find((d) => d.id === 'dispenser-9');
      db.close();
      expect(found).toMatchObject({ kind: 'dispenser', health: 'warning', reason: 'paper-low', at });
      await waitFor(async () => ((await fetch(`${second.httpUrl}/healthz`)).ok ? true : undefined));
    } finally {
      await second.dispose();
    }
  });

  it('applies migrations once, in WAL mode', async () => {
    const gw = await startTestGateway();
    await gw.stop();
    const db = new Database(join(gw.dataDir, DATABASE_FILE));
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await gw.dispose();
  });

  it('refuses to open a database written by a newer gateway, and leaves it untouched', async () => {
    const gw = await startTestGateway();
    await gw.stop();
    const file = join(gw.dataDir, DATABASE_FILE);
    const raw = new Database(file);
    const future = (MIGRATIONS.at(-1)?.version ?? 0) + 1;
    raw.pragma(`user_version = ${future}`);
    raw.close();
    expect(() => openDatabase(gw.dataDir)).toThrow(DatabaseTooNewError);
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(future);
    check.close();
    await gw.dispose();
  });
});
