import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupAnswer, BackupStatus } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, staffToken } from '../support/identities.js';
import { waitFor } from '../support/process.js';
import { command } from '../support/queue-api.js';

// Backups over HTTP against a gateway in this process: a checked copy in the folder, the last
// result and the copies kept, a failure that is reported and remembered across a restart.

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.dispose();
  gw = undefined;
});

async function post(g: TestGateway, headers: Record<string, string> = g.admin): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${g.httpUrl}/api/backups`, { method: 'POST', headers });
  return { status: res.status, body: await res.json() };
}

async function status(g: TestGateway): Promise<BackupStatus> {
  const res = await fetch(`${g.httpUrl}/api/backups`, { headers: g.admin });
  expect(res.status).toBe(200);
  return BackupStatus.parse(await res.json());
}

describe('backups over HTTP', () => {
  it('makes a checked, dated copy that opens as the same database', async () => {
    gw = await startTestGateway();
    const g = gw;
    const { status: code, body } = await post(g, bearer(staffToken(g.gateway, 'installer')));
    expect(code).toBe(200);
    const answer = BackupAnswer.parse(body);
    expect(answer.integrity).toBe('ok');
    expect(answer.file).toMatch(/^forecourt-\d{4}-\d{2}-\d{2}T\d{6}\+0800\.sqlite$/);
    const path = join(g.dataDir, 'backups', answer.file);
    const copy = new Database(path, { readonly: true, fileMustExist: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.prepare('SELECT count(*) FROM staff_token').pluck().get()).toBeGreaterThanOrEqual(2);
    copy.close();
    expect(existsSync(`${path}-wal`)).toBe(false);

    const seen = await status(g);
    expect(seen.last).toMatchObject({ ok: true, file: answer.file, at: answer.at });
    expect(seen.files.map((f) => f.file)).toContain(answer.file);
    expect(seen.files.find((f) => f.file === answer.file)).toMatchObject({ bytes: answer.bytes, kind: 'daily' });

    // Who backed up is in the audit log (the gateway's own backups are not audit rows).
    const audit = (await (await fetch(`${g.httpUrl}/api/audit?action=backup`, { headers: g.admin })).json()) as { rows: { action: string; role: string; target: string }[] };
    expect(audit.rows).toEqual([expect.objectContaining({ action: 'backup.run', role: 'installer', target: answer.file })]);

    const metrics = await (await fetch(`${g.httpUrl}/metrics`, { headers: g.admin })).text();
    expect(metrics).toMatch(/^forecourt_backup_total\{result="ok"\} [1-9]/m);
    expect(metrics).toContain(`forecourt_backup_last_success_timestamp_seconds ${Date.parse(answer.at) / 1000}`);
    expect(metrics).toContain(`forecourt_backup_last_bytes ${answer.bytes}`);
  });

  it('reports a folder it cannot write; with a good folder the next start backs up at once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'forecourt-backup-'));
    // A file where the folder should be.
    writeFileSync(join(dataDir, 'not-a-folder'), 'x');
    const configure = (c: TestGateway['config']) => (c.backup.folder = join(dataDir, 'not-a-folder', 'backups'));
    gw = await startTestGateway({ dataDir, configure });
    const g = gw;
    const failed = await post(g);
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ error: { code: 'folder-unavailable' } });
    const seen = await status(g);
    expect(seen.last).toMatchObject({ ok: false, error: { code: 'folder-unavailable' } });
    expect(seen.files).toEqual([]);
    expect(await (await fetch(`${g.httpUrl}/metrics`, { headers: g.admin })).text()).toMatch(/^forecourt_backup_total\{result="folder-unavailable"\} [1-9]/m);

    await g.stop();
    gw = await startTestGateway({ dataDir, configure: (c) => (c.backup.folder = join(dataDir, 'elsewhere')) });
    // Overdue at start (no good copy yet): the new folder gets one by itself.
    const after = await waitFor(async () => {
      const s = await status(gw!);
      return s.files.length > 0 ? s : undefined;
    });
    expect(after.last).toMatchObject({ ok: true });
  });

  it('remembers a failure across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'forecourt-backup-'));
    writeFileSync(join(dataDir, 'blocked'), 'x');
    const configure = (c: TestGateway['config']) => (c.backup.folder = join(dataDir, 'blocked'));
    gw = await startTestGateway({ dataDir, configure });
    await waitFor(async () => ((await status(gw!)).last?.ok === false ? true : undefined));
    await gw.stop();
    gw = await startTestGateway({ dataDir, configure });
    const seen = await status(gw);
    expect(seen.last).toMatchObject({ ok: false, error: { code: 'folder-unavailable' } });
  });

  it('answers every request with a copy taken after it, also while another backup runs', async () => {
    // Started on an empty folder, the gateway backs up at once; these requests come meanwhile.
    gw = await startTestGateway();
    const g = gw;
    const issued = await command(g.httpUrl, { action: 'issue', service: 'maintenance' }, g.admin);
    expect(issued.status).toBe(200);
    const [first, second] = await Promise.all([post(g), post(g)]);
    for (const answer of [first, second]) {
      expect(answer.status).toBe(200);
      const copy = new Database(join(g.dataDir, 'backups', BackupAnswer.parse(answer.body).file), { readonly: true });
      expect(copy.prepare('SELECT count(*) FROM queue_ticket WHERE id = ?').pluck().get(issued.body.ticket!.id)).toBe(1);
      copy.close();
    }
  });

  it('refuses callers who are not manager or installer, and a body with fields', async () => {
    gw = await startTestGateway();
    expect((await post(gw, bearer(staffToken(gw.gateway, 'receptionist')))).status).toBe(403);
    expect((await post(gw, {})).status).toBe(401);
    const res = await fetch(`${gw.httpUrl}/api/backups`, { method: 'POST', headers: { ...gw.admin, 'content-type': 'application/json' }, body: JSON.stringify({ folder: '/tmp' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid-request');
  });
});
