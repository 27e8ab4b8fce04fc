import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayStatus, StoreInfo, topics, type DeviceState } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';
import { deviceLogin } from '../support/identities.js';

let gw: TestGateway;
const store = () => gw.config.store.id;
const state = (at = new Date(), kind: DeviceState['kind'] = 'printer'): DeviceState => ({ kind, online: true, health: 'ok', at: at.toISOString() });
/** A provisioned device's or an enrolled screen's MQTT login (the broker refuses strangers). */
const login = (id: string, kind: DeviceState['kind'], station?: string) => deviceLogin(gw.gateway, id, kind, station);

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.dispose();
});

describe('broker', () => {
  it('round-trips a device state over TCP between two mqtt.js clients', async () => {
    const sub = await connectClient(gw.mqttUrl, login('desk-pc-1', 'desk', '1'));
    const pub = await connectClient(gw.mqttUrl, login('printer-tcp', 'printer'));
    const topic = topics.deviceState(store(), 'printer-tcp');
    const got = nextMessage(sub, topic);
    await pub.publishAsync(topic, JSON.stringify(state()), { qos: 1 });
    expect(JSON.parse((await got).payload.toString()).kind).toBe('printer');
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it('round-trips over WebSocket at /mqtt', async () => {
    // Screens speak MQTT over WebSocket: a board reports its state, a desk PC reads it.
    const sub = await connectClient(gw.wsUrl, login('desk-pc-ws', 'desk', '2'));
    const pub = await connectClient(gw.wsUrl, login('screen-ws', 'board'));
    const topic = topics.deviceState(store(), 'screen-ws');
    const got = nextMessage(sub, topic);
    await pub.publishAsync(topic, JSON.stringify({ ...state(new Date(), 'board'), reason: 'via-websocket' }), { qos: 1 });
    expect(JSON.parse((await got).payload.toString())).toMatchObject({ kind: 'board', reason: 'via-websocket' });
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it('gives a fresh screen the retained store info and gateway status at once', async () => {
    const client = await connectClient(gw.wsUrl, login('board-fresh', 'board'));
    const info = StoreInfo.parse(JSON.parse((await nextMessage(client, topics.storeInfo(store()))).payload.toString()));
    const status = GatewayStatus.parse(JSON.parse((await nextMessage(client, topics.gatewayStatus(store()))).payload.toString()));
    expect(info.storeId).toBe(store());
    expect(status.online).toBe(true);
    await client.endAsync();
  });

  it('drops an invalid payload, counts it, and keeps serving everyone else', async () => {
    const before = await metric('forecourt_mqtt_invalid_messages_dropped_total', '{reason="bad-payload"}');
    const watcher = await connectClient(gw.mqttUrl, login('desk-pc-watch', 'desk', '3'));
    const badTopic = topics.deviceState(store(), 'bad-printer');
    const goodTopic = topics.deviceState(store(), 'good-printer');
    const seen: { topic: string; payload: string }[] = [];
    watcher.on('message', (t, p) => (t === badTopic || t === goodTopic) && seen.push({ topic: t, payload: p.toString() }));
    await watcher.subscribeAsync(topics.deviceState(store(), '+'), { qos: 1 });

    const bad = await connectClient(gw.mqttUrl, login('bad-printer', 'printer'));
    const closed = new Promise<void>((resolve) => bad.once('close', () => resolve()));
    bad.publish(badTopic, JSON.stringify({ kind: 'printer', online: 'yes' }), { qos: 0 });
    await closed;
    expect(await metric('forecourt_mqtt_invalid_messages_dropped_total', '{reason="bad-payload"}')).toBe(before + 1);

    // The broker still works for a well-behaved client, and the bad payload never reached anyone.
    const good = await connectClient(gw.mqttUrl, login('good-printer', 'printer'));
    await good.publishAsync(goodTopic, JSON.stringify(state()), { qos: 1 });
    await waitFor(() => (seen.length > 0 ? true : undefined));
    expect(seen.map((m) => m.topic)).toEqual([goodTopic]);
    expect(JSON.parse(seen[0]?.payload ?? '{}').online).toBe(true);
    expect((await fetch(`${gw.httpUrl}/healthz`)).status).toBe(200);
    await Promise.all([watcher.endAsync(), good.endAsync(), bad.endAsync(true)]);
  });

  it('refuses a client that tries to speak for the gateway', async () => {
    const before = await metric('forecourt_mqtt_invalid_messages_dropped_total', '{reason="gateway-only"}');
    // A genuine, provisioned device: its credentials do not make it the gateway.
    const spoofer = await connectClient(gw.mqttUrl, login('spoofing-printer', 'printer'));
    const closed = new Promise<void>((resolve) => spoofer.once('close', () => resolve()));
    spoofer.publish(topics.gatewayStatus(store()), JSON.stringify({ online: false, version: 'x', startedAt: new Date().toISOString(), demo: false }), { qos: 1, retain: true });
    await closed;
    expect(await metric('forecourt_mqtt_invalid_messages_dropped_total', '{reason="gateway-only"}')).toBe(before + 1);
    const reader = await connectClient(gw.mqttUrl, login('board-after-spoof', 'board'));
    const status = JSON.parse((await nextMessage(reader, topics.gatewayStatus(store()))).payload.toString());
    expect(status.online).toBe(true);
    await Promise.all([reader.endAsync(), spoofer.endAsync(true)]);
  });

  it('reports connected clients and traffic on /metrics', async () => {
    const a = await connectClient(gw.mqttUrl, login('printer-metrics', 'printer'));
    const b = await connectClient(gw.wsUrl, login('board-metrics', 'board'));
    expect(await metric('forecourt_mqtt_connected_clients')).toBeGreaterThanOrEqual(2);
    expect(await metric('forecourt_mqtt_messages_in_total')).toBeGreaterThan(0);
    expect(await metric('forecourt_mqtt_messages_out_total')).toBeGreaterThan(0);
    expect(await metric('forecourt_database_bytes')).toBeGreaterThan(0);
    // The figures are for installers and managers (their scrapers use a staff token), not for anyone.
    expect((await fetch(`${gw.httpUrl}/metrics`)).status).toBe(401);
    await Promise.all([a.endAsync(), b.endAsync()]);
  });
});
