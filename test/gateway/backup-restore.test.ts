import { execFile } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupAnswer, BackupStatus } from '@forecourt/gateway/protocol';
import { seedMembers, testMember } from '../support/members.js';
import { REPO_ROOT } from '../support/process.js';
import { command } from '../support/queue-api.js';
import { bearer } from '../support/identities.js';
import { installStore, killStore, staffTokenOf, startStore, type RunningStore } from '../support/store-process.js';

// Backup → stop → restore → start → the same state, with the gateway as its own process and the
// restore done by the CLI an installer uses. The restore is refused while a gateway runs, and a
// damaged copy is refused before anything changes.

const PLATE = '粤B·D5678';
const store = installStore();
seedMembers(store.dataDir, [testMember({}, new Date())]);
let running: RunningStore | undefined;

afterAll(async () => {
  await killStore(running);
});

function backupCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'gateway/dist/tools/backup-cli.js'), ...args, ...store.args], { cwd: REPO_ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function getJson(url: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function openOrder(httpUrl: string, plate: string, as: Record<string, string>): Promise<string> {
  const res = await fetch(`${httpUrl}/api/workshop/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...as },
    body: JSON.stringify({ action: 'open', model: 'Toyota Camry', advisor: '王芳', jobs: [{ title: 'Oil service', technicians: ['张伟'] }], plate }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { order: { no: string } }).order.no;
}

/** What a store would miss after a bad restore: the tickets and their states, the order and its stage, the member. */
async function stateOf(httpUrl: string, as: Record<string, string>, tickets: string[], orders: string[]): Promise<unknown> {
  const ticketStates = await Promise.all(tickets.map(async (id) => {
    const { status, body } = await getJson(`${httpUrl}/api/queue/tickets/${id}`, as);
    return status === 200 ? { number: (body['ticket'] as { number: string }).number, state: (body['ticket'] as { state: string }).state } : status;
  }));
  const orderStages = await Promise.all(orders.map(async (no) => {
    const { status, body } = await getJson(`${httpUrl}/api/workshop/orders/${no}`, as);
    return status === 200 ? { plate: (body['order'] as { plate: string }).plate, stage: (body['order'] as { stage: string }).stage } : status;
  }));
  const members = (await getJson(`${httpUrl}/api/members?q=${encodeURIComponent(PLATE)}`, as)).body;
  return { ticketStates, orderStages, members };
}

function damage(path: string): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, 6 * 4096);
  closeSync(fd);
}

describe('backup and restore of a store', () => {
  it('restores a backup into the state it was taken in; refused while the gateway runs; a damaged copy is refused', { timeout: 90_000 }, async () => {
    const manager = bearer(await staffTokenOf(store, 'manager'));
    running = await startStore(store);
    const url = running.httpUrl;

    // Data in: three tickets (one called to desk 1), a repair order, and the member seeded before start.
    const tickets: string[] = [];
    for (const service of ['maintenance', 'maintenance', 'repair']) {
      const issued = await command(url, { action: 'issue', service }, manager);
      expect(issued.status).toBe(200);
      tickets.push(issued.body.ticket!.id);
    }
    expect((await command(url, { action: 'call-next', desk: '1' }, manager)).status).toBe(200);
    const orders = [await openOrder(url, '粤A·12345', manager)];
    const before = await stateOf(url, manager, tickets, orders);
    expect(JSON.stringify(before)).toContain('called');

    const res = await fetch(`${url}/api/backups`, { method: 'POST', headers: manager });
    expect(res.status).toBe(200);
    const backup = BackupAnswer.parse(await res.json());

    // After the backup the store goes on: these are what the restore must take back.
    const later = await command(url, { action: 'issue', service: 'sales' }, manager);
    tickets.push(later.body.ticket!.id);
    orders.push(await openOrder(url, '粤C·55555', manager));

    const refused = await backupCli('restore', backup.file);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/another gateway \(pid \d+\) is running on the data directory/);
    expect(refused.stderr).toMatch(/stop it first/);
    expect((await getJson(`${url}/api/queue/tickets/${later.body.ticket!.id}`, manager)).status).toBe(200);
    const offline = await backupCli('now');
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(/cannot back up: another gateway \(pid \d+\).*POST \/api\/backups/);

    const damaged = join(mkdtempSync(join(tmpdir(), 'forecourt-damaged-')), 'damaged.sqlite');
    copyFileSync(join(store.dataDir, 'backups', backup.file), damaged);
    damage(damaged);

    running.run.child.kill('SIGTERM');
    expect((await running.run.exited).code).toBe(0);
    const liveBytes = readFileSync(join(store.dataDir, 'forecourt.sqlite'));

    const corrupt = await backupCli('restore', damaged);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/not restored, nothing changed: .*(integrity|not a sound database)/);
    expect(readFileSync(join(store.dataDir, 'forecourt.sqlite')).equals(liveBytes)).toBe(true);

    const restored = await backupCli('restore', backup.file);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/integrity ok/);
    const aside = /kept as (\S+)/.exec(restored.stdout)?.[1];
    expect(aside).toBeDefined();
    // The database that was there is kept, with the ticket issued after the backup.
    const old = new Database(aside!, { readonly: true });
    expect(old.prepare('SELECT count(*) FROM queue_ticket WHERE id = ?').pluck().get(later.body.ticket!.id)).toBe(1);
    const lastSeq = (db: Database.Database) => db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`).pluck().get() as number;
    const asideSeq = lastSeq(old);
    old.close();
    // Head office's numbering goes on: the events since the backup stay in the outbox.
    expect(restored.stdout).toMatch(/\d+ events for head office written after the backup stay in the outbox/);
    const now = new Database(join(store.dataDir, 'forecourt.sqlite'), { readonly: true });
    expect(lastSeq(now)).toBe(asideSeq);
    now.close();

    running = await startStore(store);
    const after = await stateOf(running.httpUrl, manager, tickets, orders);
    expect(after).toEqual({
      ...(before as object),
      ticketStates: [...(before as { ticketStates: unknown[] }).ticketStates, 404],
      orderStages: [...(before as { orderStages: unknown[] }).orderStages, 404],
    });
    const listed = BackupStatus.parse((await getJson(`${running.httpUrl}/api/backups`, manager)).body);
    expect(listed.files.map((f) => f.file)).toContain(backup.file);
    running.run.child.kill('SIGTERM');
    expect((await running.run.exited).code).toBe(0);
  });
});
