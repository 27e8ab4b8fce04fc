import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Counter } from 'prom-client';
import { ROUTE_RULES, STAFF_ROLES, audiencesOf, findRouteRule, type Principal, type RouteRule } from '@forecourt/gateway/protocol';
import { renderAccessDoc } from '../../gateway/src/protocol/access/docs.js';
import { installAccessHooks } from '../../gateway/src/http/access-hooks.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, deviceToken, signIn, staffToken } from '../support/identities.js';

// Every HTTP route × every kind of caller, generated from the rule table and tried for real
// against a running gateway: a caller the rule names gets past the access check (any answer but
// 401/403), everyone else gets 401 (no identity) or 403 (wrong identity).

interface Caller {
  name: string;
  principal: Principal;
  headers: Record<string, string>;
}

let gw: TestGateway;
const callers: Caller[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
  const g = gw.gateway;
  callers.push({ name: 'anonymous (a phone)', principal: { kind: 'public' }, headers: {} });
  for (const role of STAFF_ROLES) {
    callers.push({ name: `staff token: ${role}`, principal: { kind: 'staff', staffId: 't', staffNo: 't', name: role, role, via: 'token' }, headers: bearer(staffToken(g, role)) });
  }
  for (const kind of ['kiosk', 'board', 'bay', 'desk', 'nfc-reader', 'dispenser', 'printer', 'barcode-scanner'] as const) {
    const id = `${kind}-matrix`;
    callers.push({ name: `device: ${kind}`, principal: { kind: 'device', id, deviceKind: kind, name: id }, headers: bearer(deviceToken(g, id, kind, 'kiosk-1')) });
  }
});

afterAll(async () => {
  await gw?.dispose();
});

/** A concrete URL for a rule's pattern (parameters filled with harmless values). */
function concrete(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => (name === 'id' ? '00000000-0000-4000-8000-000000000000' : `x-${name.toLowerCase()}`)).replace(/\*$/, 'index.html');
}

function allowed(principal: Principal, who: readonly string[]): boolean {
  return audiencesOf(principal).some((a) => who.includes(a));
}

async function call(rule: RouteRule, headers: Record<string, string>, body?: unknown): Promise<number> {
  const res = await fetch(`${gw.httpUrl}${concrete(rule.url)}`, {
    method: rule.method,
    headers: { ...headers, ...(rule.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(rule.method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('HTTP access: every route × every caller', () => {
  it('has a registered route for every rule (no stale rules) and no rule twice', () => {
    const stale = ROUTE_RULES.filter((r) => !gw.gateway.routes.has(`${r.method} ${r.url}`)).map((r) => `${r.method} ${r.url}`);
    expect(stale).toEqual([]);
    expect(new Set(ROUTE_RULES.map((r) => `${r.method} ${r.url}`)).size).toBe(ROUTE_RULES.length);
    expect(gw.gateway.routes.size).toBeGreaterThanOrEqual(ROUTE_RULES.length);
  });

  it('refuses to register a route that has no rule', async () => {
    const app = Fastify();
    await installAccessHooks(app, gw.gateway.identity, new Counter({ name: 'refused_test', help: 'test', labelNames: ['reason'], registers: [] }));
    expect(() => app.get('/api/secret-new-thing', async () => 'open')).toThrow(/no access rule/);
    expect(findRouteRule('GET', '/api/secret-new-thing')).toBeUndefined();
    await app.close();
  });

  it('keeps the printed access table in step with the code', () => {
    const doc = readFileSync(new URL('../../firmware-config/ACCESS.md', import.meta.url), 'utf8');
    expect(doc, 'run "npm run docs:topics"').toBe(renderAccessDoc());
  });

  it('answers every route for exactly the callers its rule names', async () => {
    const cells: string[] = [];
    for (const rule of ROUTE_RULES) {
      for (const caller of callers) {
        const status = await call(rule, caller.headers);
        const expected = allowed(caller.principal, rule.who);
        const denied = status === 401 || status === 403;
        if (expected === denied) cells.push(`${rule.method} ${rule.url} as ${caller.name}: ${status}, expected ${expected ? 'allowed' : 'denied'}`);
        if (!expected) expect(status).toBe(caller.principal.kind === 'public' ? 401 : 403);
      }
    }
    expect(cells).toEqual([]);
  });

  it('answers every command action for exactly the callers its rule names', async () => {
    const cells: string[] = [];
    for (const rule of ROUTE_RULES.filter((r) => r.actions)) {
      for (const [action, who] of Object.entries(rule.actions ?? {})) {
        for (const caller of callers) {
          // A body with only the action: allowed callers then get the schema's 400, never 401/403.
          const status = await call(rule, caller.headers, { action });
          const expected = allowed(caller.principal, who);
          const denied = status === 401 || status === 403;
          if (expected === denied) cells.push(`${rule.url} ${action} as ${caller.name}: ${status}, expected ${expected ? 'allowed' : 'denied'}`);
        }
      }
    }
    expect(cells).toEqual([]);
  });

  it('treats a forged, a revoked and a malformed token as bad, not as anonymous', async () => {
    const token = deviceToken(gw.gateway, 'kiosk-revoked', 'kiosk');
    const kioskIssue = { action: 'issue', service: 'repair' };
    const post = (headers: Record<string, string>) =>
      fetch(`${gw.httpUrl}/api/queue/commands`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(kioskIssue) });
    expect((await post(bearer(token))).status).toBe(200);
    gw.gateway.identity.revokeDevice('kiosk-revoked', { actor: 'test', role: null, via: null });
    const revoked = await post(bearer(token));
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { code: string } }).error.code).toBe('bad-token');
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await post(bearer(forged))).status).toBe(401);
    expect((await post({ authorization: 'Bearer nonsense' })).status).toBe(401);
    expect((await post({ authorization: 'Basic a2lvc2s6cGFzcw==' })).status).toBe(401);
    // Every refusal is counted, by reason.
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text();
    const badTokens = Number(/forecourt_http_refused_total\{reason="bad-token"\} (\d+)/.exec(metrics)?.[1]);
    expect(badTokens).toBeGreaterThanOrEqual(4);
  });

  it('takes priority only from a card, never from a kiosk\'s body, and changes nothing when refused', async () => {
    const kiosk = bearer(deviceToken(gw.gateway, 'kiosk-priority', 'kiosk'));
    const before = await (await fetch(`${gw.httpUrl}/api/queue/desks/1`, { headers: gw.admin })).json();
    for (const extra of [{ priority: 'vip' }, { priority: 'appointment' }, { memberRef: 'member:1/vehicle:1' }]) {
      const res = await fetch(`${gw.httpUrl}/api/queue/commands`, {
        method: 'POST',
        headers: { ...kiosk, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'issue', service: 'maintenance', ...extra }),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('priority-not-allowed');
    }
    const after = await (await fetch(`${gw.httpUrl}/api/queue/desks/1`, { headers: gw.admin })).json();
    expect(after).toEqual(before);
  });

  it('refuses unknown keys and padding in a command', async () => {
    const res = await fetch(`${gw.httpUrl}/api/queue/commands`, {
      method: 'POST',
      headers: { ...gw.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'issue', service: 'repair', pad: 'x'.repeat(60_000) }),
    });
    expect([400, 413]).toContain(res.status);
    const small = await fetch(`${gw.httpUrl}/api/queue/commands`, {
      method: 'POST',
      headers: { ...gw.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'issue', service: 'repair', note: 'hi' }),
    });
    expect(small.status).toBe(400);
  });

  it('writes the authenticated author, not a header, into the audit log with the change', async () => {
    const token = staffToken(gw.gateway, 'advisor', 'Advisor Audit');
    const res = await fetch(`${gw.httpUrl}/api/workshop/commands`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json', 'x-forecourt-sender': 'dms:central-hq' },
      body: JSON.stringify({ action: 'open', plate: '粤B·AUD17', model: 'Audit', advisor: 'Zhang' }),
    });
    expect(res.status).toBe(200);
    const { order } = (await res.json()) as { order: { no: string; history: { by: string }[] } };
    expect(JSON.stringify(order.history)).not.toContain('central-hq');
    const audit = (await (await fetch(`${gw.httpUrl}/api/audit?action=workshop.open`, { headers: gw.admin })).json()) as { rows: { actor: string; role: string; target: string }[] };
    const row = audit.rows.find((r) => r.target === `order:${order.no}`);
    expect(row?.actor).toMatch(/^staff:token-/);
    expect(row?.role).toBe('advisor');
  });
});

describe('staff sign-in', () => {
  it('signs in with a PIN, refuses a wrong one, and backs off per source without locking the account', async () => {
    const g = gw.gateway;
    g.identity.addStaff({ name: 'Reception Test', role: 'receptionist', pin: '482916', staffNo: '2001' }, { actor: 'test', role: null, via: null });
    g.identity.addStaff({ name: 'Other Test', role: 'receptionist', pin: '111222', staffNo: '2002' }, { actor: 'test', role: null, via: null });
    const wrong = await signIn(gw.httpUrl, '2001', '000000');
    expect(wrong.status).toBe(401);
    expect(wrong.cookie).toBeUndefined();
    const ok = await signIn(gw.httpUrl, '2001', '482916', '1');
    expect(ok.status).toBe(200);
    expect(ok.cookie).toMatch(/^forecourt_session=/);

    // The session works for the desk's own routes, from the gateway's own origin only.
    const origin = { origin: gw.httpUrl, 'content-type': 'application/json' };
    const cookie = { cookie: ok.cookie ?? '' };
    expect((await fetch(`${gw.httpUrl}/api/queue/desks/1`, { headers: cookie })).status).toBe(200);
    expect((await fetch(`${gw.httpUrl}/api/queue/desks/2`, { headers: cookie })).status).toBe(409);
    const issue = JSON.stringify({ action: 'issue', service: 'repair' });
    expect((await fetch(`${gw.httpUrl}/api/queue/commands`, { method: 'POST', headers: { ...cookie, ...origin }, body: issue })).status).toBe(200);
    const foreign = await fetch(`${gw.httpUrl}/api/queue/commands`, { method: 'POST', headers: { ...cookie, 'content-type': 'application/json', origin: 'http://evil.example' }, body: issue });
    expect(foreign.status).toBe(403);
    expect((await fetch(`${gw.httpUrl}/api/queue/commands`, { method: 'POST', headers: { ...cookie, 'content-type': 'application/json' }, body: issue })).status).toBe(403);

    // Signed out: the same cookie replayed is nobody.
    await fetch(`${gw.httpUrl}/api/auth/sign-out`, { method: 'POST', headers: { ...cookie, ...origin }, body: '{}' });
    expect((await fetch(`${gw.httpUrl}/api/queue/desks/1`, { headers: cookie })).status).toBe(401);

    // Wrong PINs from one source: after a few, 429 with a wait, whatever account it tries.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await signIn(gw.httpUrl, i % 2 ? '2001' : '2002', '999999')).status);
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses.at(-1)).toBe(429);
    // The right PIN from this source waits too (the source is throttled) ...
    expect((await signIn(gw.httpUrl, '2002', '111222')).status).toBe(429);
    // ... but the accounts themselves are not locked: the throttled source's failures stopped counting.
    const accounts = (gw.gateway.identity as unknown as { accounts: { waitMs: (k: string[]) => number } }).accounts;
    expect(accounts.waitMs(['account:2002'])).toBe(0);
  });
});

describe('staff at an enrolled screen', () => {
  // A gateway of its own: the sign-in test above has throttled this source on purpose.
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.dispose();
  });

  it('names the screen a signed-in person works at in the audit, and refuses a forged screen token', async () => {
    gw.gateway.identity.addStaff({ name: 'Bay Tech', role: 'technician', pin: '573920', staffNo: '2101' }, { actor: 'test', role: null, via: null });
    const bay = deviceToken(gw.gateway, 'bay-7', 'bay', '7');
    const { cookie } = await signIn(gw.httpUrl, '2101', '573920');
    const open = await fetch(`${gw.httpUrl}/api/workshop/commands`, {
      method: 'POST',
      headers: { ...gw.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'open', plate: '粤B·BAY77', model: 'Bay', advisor: 'Zhang', jobs: [{ title: 'Brakes', technicians: ['Bay Tech'] }] }),
    });
    const { order } = (await open.json()) as { order: { no: string } };
    for (const to of ['dispatched'] as const) {
      await fetch(`${gw.httpUrl}/api/workshop/commands`, { method: 'POST', headers: { ...gw.admin, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'move', order: order.no, to }) });
    }
    const start = (screen: string) =>
      fetch(`${gw.httpUrl}/api/workshop/commands`, {
        method: 'POST',
        headers: { cookie: cookie ?? '', origin: gw.httpUrl, 'content-type': 'application/json', 'x-forecourt-screen': screen },
        body: JSON.stringify({ action: 'job-start', order: order.no, job: 1 }),
      });
    expect((await start(`fcd.bay-7.${'A'.repeat(43)}`)).status).toBe(401);
    expect((await start(bay)).status).toBe(200);
    const audit = (await (await fetch(`${gw.httpUrl}/api/audit?action=workshop.job-start`, { headers: gw.admin })).json()) as { rows: { actor: string; via: string }[] };
    expect(audit.rows[0]).toMatchObject({ actor: 'staff:2101', via: 'bay-7' });
  });
});
