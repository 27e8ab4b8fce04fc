import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_KINDS, TOPIC_DEFINITIONS, audiencesOf, ownValue, TOPIC_ROOT, type Principal, type TopicDefinition, type TopicRule } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { deviceLogin, signIn } from '../support/identities.js';
import { describeRealStack } from '../support/real-stack.js';

// Every kind of client × every topic of the tree, publish and subscribe, generated from the rule
// table and tried for real on the gateway's broker. The expectation comes from the table itself
// (who + own), not from the broker's code, so a broker that lets too much or too little through fails.

const run = promisify(execFile);
const STORE = 'demo';
const OTHER = 'someone-else';
const at = '2026-12-01T10:00:00+08:00';

/** A payload the schema accepts, for every topic a device may publish. */
const SAMPLES: Record<string, unknown> = {
  'device/{device}/state': { kind: 'nfc-reader', online: true, health: 'ok', at },
  'device/{device}/heartbeat': { at, uptimeS: 5 },
  'device/{device}/scan': { code: 'ACT-START', at },
  'device/{device}/tap': { kind: 'iso14443-4', at },
  'device/{device}/write/result': { requestId: '00000000-0000-4000-8000-000000000000', ok: true, at },
  'device/{device}/print/report': { job: '00000000-0000-4000-8000-000000000000', event: 'printed', at },
  'device/{device}/button': { event: '00000000-0000-4000-8000-000000000000', button: 1, at },
};

interface Client {
  name: string;
  principal: Principal;
  url: () => string;
  options: () => IClientOptions;
}

let gw: TestGateway;
const clients: Client[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
  for (const kind of DEVICE_KINDS) {
    const id = `${kind}-m`;
    const station = `st-${kind}`;
    const login = deviceLogin(gw.gateway, id, kind, station);
    clients.push({ name: `device ${kind}`, principal: { kind: 'device', id, deviceKind: kind, name: id, station }, url: () => gw.mqttUrl, options: () => login });
  }
  gw.gateway.identity.addStaff({ name: 'Desk One', role: 'receptionist', pin: '246810', staffNo: '3001' }, { actor: 'test', role: null, via: null });
  const { cookie } = await signIn(gw.httpUrl, '3001', '246810', '1');
  clients.push({
    name: 'staff receptionist at desk 1 (WebSocket + cookie)',
    principal: { kind: 'staff', staffId: 's', staffNo: '3001', name: 'Desk One', role: 'receptionist', desk: '1', via: 'session' },
    url: () => gw.wsUrl,
    options: () => ({ clientId: `staff-${Math.random().toString(16).slice(2)}`, wsOptions: { headers: { cookie: cookie ?? '' } } }),
  });
});

afterAll(async () => {
  await gw?.dispose();
});

type Instance = 'own' | 'other' | 'wildcard' | 'fixed';

/** The topic instances worth trying: a pattern without `{…}` has one, the others three. */
function instances(def: TopicDefinition, principal: Principal): { kind: Instance; rest: string }[] {
  if (!def.pattern.includes('{')) return [{ kind: 'fixed', rest: def.pattern }];
  const fill = (value: (placeholder: string) => string) => def.pattern.replace(/\{[a-z]+\}/g, value);
  return [
    { kind: 'own', rest: fill((p) => ownValue(principal, p) ?? 'nobody') },
    { kind: 'other', rest: fill(() => OTHER) },
    { kind: 'wildcard', rest: fill(() => '+') },
  ];
}

/** What the rule table says, read directly: `who` on every instance, `own` on one's own only. */
function expected(rule: TopicRule, principal: Principal, instance: Instance, def: TopicDefinition): boolean {
  const audiences = audiencesOf(principal);
  if (rule.who.some((a) => audiences.includes(a))) return true;
  if (!rule.own?.some((a) => audiences.includes(a))) return false;
  const placeholders = def.pattern.match(/\{[a-z]+\}/g) ?? [];
  return instance === 'own' && placeholders.every((p) => ownValue(principal, p) !== undefined);
}

/** Whether the broker granted one subscription (mqtt.js rejects a SUBACK of 0x80). */
async function granted(c: MqttClient, filter: string): Promise<boolean> {
  try {
    const [grant] = await c.subscribeAsync(filter, { qos: 1 });
    return grant !== undefined && grant.qos !== 128;
  } catch {
    return false;
  }
}

async function connect(client: Client): Promise<MqttClient> {
  return mqtt.connectAsync(client.url(), { reconnectPeriod: 0, connectTimeout: 5000, ...client.options() });
}

/** True when the broker acknowledged the QoS 1 publish; false when it closed the connection instead. */
async function tryPublish(client: Client, topic: string, payload: unknown): Promise<boolean> {
  const c = await connect(client);
  try {
    const closed = new Promise<boolean>((resolve) => c.once('close', () => resolve(false)));
    const acked = c.publishAsync(topic, JSON.stringify(payload), { qos: 1 }).then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((_r, reject) => setTimeout(() => reject(new Error(`no answer to a publish on ${topic}`)), 4000));
    return await Promise.race([acked, closed, timeout]);
  } finally {
    await c.endAsync(true);
  }
}

describe('MQTT access: every client × every topic (mqtt.js)', () => {
  it('grants and refuses subscriptions exactly as the table says', async () => {
    const wrong: string[] = [];
    let cells = 0;
    for (const client of clients) {
      const c = await connect(client);
      for (const def of TOPIC_DEFINITIONS) {
        for (const { kind, rest } of instances(def, client.principal)) {
          const filter = `${TOPIC_ROOT}/${STORE}/${rest}`;
          const got = await granted(c, filter);
          const want = expected(def.subscribe, client.principal, kind, def);
          cells++;
          if (got !== want) wrong.push(`${client.name} subscribe ${rest} (${kind}): ${got ? 'granted' : 'refused'}, table says ${want ? 'allow' : 'deny'}`);
        }
      }
      for (const filter of ['#', `${TOPIC_ROOT}/#`, `${TOPIC_ROOT}/${STORE}/#`, '$SYS/#', `${TOPIC_ROOT}/other-store/queue/calls`]) {
        cells++;
        if (await granted(c, filter)) wrong.push(`${client.name} subscribe ${filter}: granted`);
      }
      await c.endAsync(true);
    }
    expect(wrong).toEqual([]);
    expect(cells).toBeGreaterThan(clients.length * TOPIC_DEFINITIONS.length);
  });

  it('accepts and refuses publishes exactly as the table says', async () => {
    const wrong: string[] = [];
    for (const client of clients) {
      for (const def of TOPIC_DEFINITIONS) {
        for (const { kind, rest } of instances(def, client.principal).filter((i) => i.kind !== 'wildcard')) {
          const payload = SAMPLES[def.pattern] ?? {};
          const accepted = await tryPublish(client, `${TOPIC_ROOT}/${STORE}/${rest}`, payload);
          const want = SAMPLES[def.pattern] !== undefined && expected(def.publish, client.principal, kind, def);
          if (accepted !== want) wrong.push(`${client.name} publish ${rest} (${kind}): ${accepted ? 'accepted' : 'refused'}, table says ${want ? 'allow' : 'deny'}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses anonymous clients, wrong passwords and another device\'s client id; the real device stays connected', async () => {
    const reader = deviceLogin(gw.gateway, 'reader-owner', 'nfc-reader');
    const refusedWith = (opts: IClientOptions) =>
      mqtt.connectAsync(gw.mqttUrl, { reconnectPeriod: 0, connectTimeout: 3000, ...opts }).then(
        async (c) => (await c.endAsync(true), 'connected'),
        (err: { code?: number }) => err.code,
      );
    expect(await refusedWith({ clientId: 'anon' })).toBe(5);
    expect(await refusedWith({ ...reader, password: `${reader.password.slice(0, -3)}abc` })).toBe(4);
    expect(await refusedWith({ ...reader, username: 'reader-other' })).toBe(4);

    const real = await mqtt.connectAsync(gw.mqttUrl, { reconnectPeriod: 0, ...reader });
    const attacker = deviceLogin(gw.gateway, 'reader-attacker', 'nfc-reader');
    expect(await refusedWith({ ...attacker, clientId: 'reader-owner' })).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(real.connected).toBe(true);
    await real.endAsync(true);
  });

  it('refuses a persistent session (clean session off) even with the right credentials; clean is accepted', async () => {
    const board = deviceLogin(gw.gateway, 'board-persistent', 'board');
    const connect = (clean: boolean) =>
      mqtt.connectAsync(gw.mqttUrl, { reconnectPeriod: 0, connectTimeout: 3000, ...board, clean }).then(
        async (c) => (await c.endAsync(true), 'connected'),
        (err: { code?: number }) => err.code,
      );
    expect(await connect(false)).toBe(2);
    expect(await connect(true)).toBe('connected');
  });

  it('closes a device\'s connection at once when it is revoked', async () => {
    const login = deviceLogin(gw.gateway, 'board-revoked', 'board');
    const c = await mqtt.connectAsync(gw.mqttUrl, { reconnectPeriod: 0, ...login });
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    const res = await fetch(`${gw.httpUrl}/api/devices/board-revoked/revoke`, { method: 'POST', headers: gw.admin });
    expect(res.status).toBe(200);
    await closed;
    const again = await mqtt.connectAsync(gw.mqttUrl, { reconnectPeriod: 0, connectTimeout: 3000, ...login }).then(
      () => 'connected',
      (err: { code?: number }) => err.code,
    );
    expect(again).toBe(4);
  });
});

describe('MQTT access in demo mode', () => {
  let demo: TestGateway;
  beforeAll(async () => {
    demo = await startTestGateway({ demo: true });
  });
  afterAll(async () => {
    await demo?.dispose();
  });

  it('lets an anonymous client read the store name and status only', async () => {
    const c = await mqtt.connectAsync(demo.mqttUrl, { reconnectPeriod: 0 });
    try {
      const root = `${TOPIC_ROOT}/${demo.config.store.id}`;
      const grants = [];
      for (const filter of [`${root}/store/info`, `${root}/gateway/status`, `${root}/queue/calls`, `${root}/device/+/tap`, '#']) grants.push(await granted(c, filter));
      expect(grants).toEqual([true, true, false, false, false]);
    } finally {
      await c.endAsync(true);
    }
  });
});

describeRealStack('MQTT access with an independent client (mosquitto-clients)', { binaries: ['mosquitto_pub', 'mosquitto_sub'], debian: 'mosquitto-clients' }, () => {
  const port = () => new URL(gw.mqttUrl).port;

  it('refuses # to a device, and a spoofed tap on another reader\'s topic is never delivered', async () => {
    const kiosk = deviceLogin(gw.gateway, 'reader-k1', 'nfc-reader');
    const wildcard = await run('mosquitto_sub', ['-p', port(), '-i', kiosk.clientId, '-u', kiosk.username, '-P', kiosk.password, '-t', '#', '-W', '2', '-d']).catch((e: { stdout: string; stderr: string }) => e);
    expect(`${wildcard.stdout}${wildcard.stderr}`).toMatch(/128|denied/i);

    const watcher = await mqtt.connectAsync(gw.mqttUrl, { reconnectPeriod: 0, ...deviceLogin(gw.gateway, 'desk-watch', 'desk') });
    const seen: string[] = [];
    watcher.on('message', (t) => seen.push(t));
    await watcher.subscribeAsync(`${TOPIC_ROOT}/${STORE}/device/+/state`, { qos: 1 });
    const spoof = await run('mosquitto_pub', ['-p', port(), '-i', kiosk.clientId, '-u', kiosk.username, '-P', kiosk.password, '-q', '1', '-t', `${TOPIC_ROOT}/${STORE}/device/reader-victim/state`, '-m', JSON.stringify(SAMPLES['device/{device}/state'])]).then(
      () => 'sent',
      () => 'refused',
    );
    const own = await run('mosquitto_pub', ['-p', port(), '-i', kiosk.clientId, '-u', kiosk.username, '-P', kiosk.password, '-q', '1', '-t', `${TOPIC_ROOT}/${STORE}/device/reader-k1/state`, '-m', JSON.stringify(SAMPLES['device/{device}/state'])]).then(
      () => 'sent',
      () => 'refused',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(own).toBe('sent');
    expect(spoof).toBe('refused');
    expect(seen).toContain(`${TOPIC_ROOT}/${STORE}/device/reader-k1/state`);
    expect(seen).not.toContain(`${TOPIC_ROOT}/${STORE}/device/reader-victim/state`);
    await watcher.endAsync(true);
  });

  it('refuses a connection without credentials, with another device\'s client id or with a persistent session', async () => {
    const reader = deviceLogin(gw.gateway, 'reader-k2', 'nfc-reader');
    const anon = await run('mosquitto_sub', ['-p', port(), '-t', `${TOPIC_ROOT}/${STORE}/store/info`, '-C', '1', '-W', '2']).then(
      () => 'connected',
      (e: { stderr: string }) => e.stderr,
    );
    expect(anon).toMatch(/not authori[sz]ed/i);
    const takeover = await run('mosquitto_sub', ['-p', port(), '-i', 'kiosk-m', '-u', reader.username, '-P', reader.password, '-t', `${TOPIC_ROOT}/${STORE}/store/info`, '-C', '1', '-W', '2']).then(
      () => 'connected',
      (e: { stderr: string }) => e.stderr,
    );
    expect(takeover).toMatch(/identifier rejected/i);
    const persistent = await run('mosquitto_sub', ['-p', port(), '-c', '-q', '1', '-i', reader.clientId, '-u', reader.username, '-P', reader.password, '-t', `${TOPIC_ROOT}/${STORE}/store/info`, '-C', '1', '-W', '2']).then(
      () => 'connected',
      (e: { stderr: string }) => e.stderr,
    );
    expect(persistent).toMatch(/identifier rejected/i);
  });
});
