import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Identity } from '../../../gateway/src/identity/identity.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';

// Staff sessions on a real SQLite file with an injected clock: idle time counts from the person's
// last action, not from the screen's background reads; sign-out and a restart behave.

const CONSOLE = { actor: 'test', role: null, via: null };

describe('staff sessions', () => {
  let dir: string;
  let db: Db;
  let t: number;
  let identity: Identity;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-sessions-'));
    db = openDatabase(dir);
    t = Date.parse('2026-12-01T09:00:00Z');
    identity = new Identity(db, { storeId: 'demo', demo: false, idleTimeoutS: { desk: 600, bay: 120 }, pairingMinutes: 10 }, () => new Date(t), pino({ level: 'silent' }));
    identity.addStaff({ name: 'Li', role: 'receptionist', pin: '482916', staffNo: '2001' }, CONSOLE);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(screen: 'desk' | 'bay' = 'desk'): Promise<string> {
    const result = await identity.signIn({ staffNo: '2001', pin: '482916', screen }, '10.0.0.5');
    if (!result.ok) throw new Error(result.code);
    return result.sessionId;
  }

  it('ends a session idle for longer than its screen allows, however often the screen reads', async () => {
    const session = await signIn();
    for (let minute = 1; minute <= 9; minute++) {
      t += 60_000;
      expect(identity.session(session, false)?.principal.kind).toBe('staff');
    }
    t += 2 * 60_000;
    expect(identity.session(session, false)).toBeUndefined();
    // Once ended it stays ended, even if the person comes back.
    expect(identity.session(session, true)).toBeUndefined();
  });

  it('keeps a session alive while its person acts', async () => {
    const session = await signIn();
    for (let minute = 1; minute <= 30; minute++) {
      t += 5 * 60_000;
      expect(identity.session(session, true)?.principal.kind, `after ${minute * 5} min`).toBe('staff');
    }
  });

  it('gives the bay its shorter idle time, and survives a restart of the gateway', async () => {
    const session = await signIn('bay');
    expect(identity.session(session)?.idleTimeoutS).toBe(120);
    const again = new Identity(db, { storeId: 'demo', demo: false, idleTimeoutS: { desk: 600, bay: 120 }, pairingMinutes: 10 }, () => new Date(t), pino({ level: 'silent' }));
    expect(again.session(session)?.principal).toMatchObject({ kind: 'staff', staffNo: '2001', role: 'receptionist' });
    t += 121_000;
    expect(again.session(session)).toBeUndefined();
  });

  it('signs out for good, and keeps no session id in the database', async () => {
    const session = await signIn();
    const stored = JSON.stringify(db.prepare('SELECT * FROM staff_session').all());
    expect(stored).not.toContain(session);
    identity.signOut(session);
    expect(identity.session(session, true)).toBeUndefined();
    const audit = identity.audit.list({ limit: 10 }).map((r) => r.action);
    expect(audit).toEqual(expect.arrayContaining(['auth.sign-in', 'auth.sign-out', 'staff.add']));
  });

  it('makes PIN guesses sent all at once wait like guesses sent one after another', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => identity.signIn({ staffNo: '2001', pin: String(100000 + i), screen: 'desk' }, '10.0.0.9')),
    );
    const checked = guesses.filter((g) => !g.ok && g.code === 'bad-credentials').length;
    // The free attempts and the one that starts the wait are checked; the rest are refused unchecked.
    expect(checked).toBe(4);
    expect(guesses.filter((g) => !g.ok && g.code === 'too-many-attempts')).toHaveLength(16);
    // The right PIN from another place still signs in, and clears its own source's count.
    await expect(signIn()).resolves.toBeTypeOf('string');
  });
});
