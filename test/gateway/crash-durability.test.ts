import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '@forecourt/gateway';
import { installStore, killStore, startStore, staffTokenOf, type RunningStore } from '../support/store-process.js';

// A gateway process killed (SIGKILL: no stop, no flush) at a random moment while four clients,
// each on its own connection, take tickets as fast as it answers; twenty times over, restarting
// on the same data directory each time. What a client was told must be what the database holds.
// Like the kiosk, a client whose answer was lost sends that request again with the same request
// id once the gateway is back, so in the end no ticket is held by nobody.

const CRASHES = 20;
const SERVICES = ['maintenance', 'repair', 'claims', 'sales', 'pickup'];
const CLIENTS = 4;

interface Acknowledged {
  id: string;
  number: string;
  service: string;
}

let store: RunningStore | undefined;
afterEach(async () => {
  await killStore(store);
  store = undefined;
});

describe('SIGKILL during a burst of tickets, 20 times', () => {
  it('keeps every acknowledged ticket with its number; numbers never repeat nor skip; a lost answer is got back by its retry', { timeout: 120_000 }, async () => {
    const install = installStore();
    const token = await staffTokenOf(install, 'manager');
    const acknowledged: Acknowledged[] = [];
    /** Per client, the request whose answer a crash swallowed, to be sent again. */
    const pending: ({ requestId: string; service: string } | undefined)[] = Array.from({ length: CLIENTS }, () => undefined);
    let retried = 0;
    let replayed = 0;

    for (let crash = 0; crash <= CRASHES; crash++) {
      store = await startStore(install);
      const port = Number(new URL(store.httpUrl).port);
      let killed = false;
      const clients = pending.map(async (_, client) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          while (!killed) {
            const request = pending[client] ?? { requestId: randomUUID(), service: SERVICES[Math.floor(Math.random() * SERVICES.length)] ?? 'repair' };
            if (pending[client]) retried += 1;
            pending[client] = request;
            const answer = await issue(agent, port, token, request.service, request.requestId).catch(() => undefined);
            if (!answer) return;
            expect(answer.status, JSON.stringify(answer.body)).toBe(200);
            if (answer.replayed) replayed += 1;
            const { ticket } = answer.body as { ticket: Acknowledged };
            acknowledged.push({ id: ticket.id, number: ticket.number, service: ticket.service });
            pending[client] = undefined;
            // The last start only answers the requests left over.
            if (crash === CRASHES) return;
          }
        } finally {
          agent.destroy();
        }
      });
      if (crash === CRASHES) await Promise.all(clients);
      else await new Promise((r) => setTimeout(r, 30 + Math.random() * 220));
      store.run.child.kill('SIGKILL');
      await store.run.exited;
      killed = true;
      await Promise.all(clients);

      // Right after the crash, before the next start: every answer the clients got is on disk.
      const tickets = readTickets(install.dataDir);
      for (const ack of acknowledged) expect(tickets.get(ack.id), `ticket ${ack.number} (crash ${crash + 1})`).toMatchObject({ number: ack.number, service: ack.service });
    }

    const stored = readTickets(install.dataDir);
    const tickets = [...stored.values()];
    // Per business day and service: each number once, and 1…n without a gap.
    const byQueue = new Map<string, number[]>();
    for (const t of tickets) byQueue.set(`${t.businessDay}/${t.service}`, [...(byQueue.get(`${t.businessDay}/${t.service}`) ?? []), Number(/(\d+)$/.exec(t.number)?.[1])]);
    for (const [queue, issued] of byQueue) {
      const numbers = issued.sort((a, b) => a - b);
      expect(numbers, queue).toEqual(numbers.map((_, i) => i + 1));
    }
    // No number was given to two tickets, and every stored ticket reached its client in the end,
    // some of them on the retry that followed a crash.
    expect(new Set(acknowledged.map((a) => a.id)).size).toBe(acknowledged.length);
    expect(new Set(acknowledged.map((a) => `${a.service}/${a.number}`)).size).toBe(acknowledged.length);
    expect(pending.filter(Boolean)).toEqual([]);
    expect([...stored.keys()].sort()).toEqual(acknowledged.map((a) => a.id).sort());
    expect(acknowledged.length).toBeGreaterThan(CRASHES * CLIENTS);
    console.info(`${CRASHES} SIGKILLs: ${acknowledged.length} tickets, each acknowledged once; ${retried} requests sent again after a crash, ${replayed} of them already done (the first answer given back)`);
  });
});

function issue(agent: Agent, port: number, token: string, service: string, requestId: string): Promise<{ status: number; replayed: boolean; body: unknown }> {
  const body = JSON.stringify({ action: 'issue', service });
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port, method: 'POST', path: '/api/queue/commands', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': requestId, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, replayed: res.headers['idempotent-replayed'] === 'true', body: JSON.parse(text) as unknown }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function readTickets(dataDir: string): Map<string, { number: string; service: string; businessDay: string }> {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const rows = db.prepare('SELECT id, number, service, business_day AS businessDay FROM queue_ticket').all() as { id: string; number: string; service: string; businessDay: string }[];
    return new Map(rows.map(({ id, ...t }) => [id, t]));
  } finally {
    db.close();
  }
}
