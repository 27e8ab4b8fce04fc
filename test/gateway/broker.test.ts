import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayStatus, StoreInfo, topics, type DeviceState } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';

let gw: TestGateway;
const store = () => gw.config.store.id;
const state = (at = new Date()): DeviceState => ({ kind: 'printer', online: true, health: 'ok', at: at.toISOString() });

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${gw.httpUrl}/metrics`)).text();
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
    const sub = await connectClient(gw.mqttUrl);
    const pub = await connectClient(gw.mqttUrl, 'printer-tcp');
    const topic = topics.deviceState(store(), 'printer-tcp');
    const got = nextMessage(sub, topic);
    await pub.publishAsync(topic, JSON.stringify(state()), { qos: 1 });
    expect(JSON.parse((await got).payload.toString()).kind).toBe('printer');
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it('round-trips over WebSocket at /mqtt', async () => {
    const sub = await connectClient(gw.wsUrl);
    const pub = await connectClient(gw.wsUrl);
    const topic = topics.deviceHeartbeat(store(), 'screen-ws');
    const got = nextMessage(sub, topic);
    await pub.publishAsync(topic, JSON.stringify({ at: new Date().toISOString(), uptimeS: 5 }), { qos: 1 });
    expect(JSON.parse((await got).payload.toString()).uptimeS).toBe(5);
    await Promise.all([sub.endAsync(), pub.endAsync()]);
  });

  it('gives a fresh screen the retained store info and gateway status at once', async () => {
    const client = await connectClient(gw.wsUrl);
    const info = StoreInfo.parse(JSON.parse((await nextMessage(client, topics.storeInfo(store()))).payload.toString()));
    const status = GatewayStatus.parse(JSON.parse((await nextMessage(client, topics.gatewayStatus(store()))).payload.toString()));
    expect(info.storeId).toBe(store());
    expect(status.online).toBe(true);
    await client.endAsync();
  });

  it('drops an invalid payload, counts it, and keeps serving everyone else', async () => {
    const before = await metric('forecourt_mqtt_invalid_messages_dropped_total', '{reason="bad-payload"}');
    const watcher = await connectClient(gw.mqttUrl);
    const topic = topics.deviceState(store(), 'bad-printer');
    const seen: string[] = [];
    watcher.on('message', (t, p) => t === topic && seen.push(p.toString()));
    await watcher.subscribeAsync(topic, { qos: 1 });

    const bad = await connectClient(gw.mqttUrl, 'bad-printer');
    const closed = new Promise<void>((resolve) => bad.once('close', () => resolve()));
    bad.publish(topic, JSON.stringify({ kind: 'printer', online: 'yes' }), { qos: 0 });
    await closed;
    expect(await metric('forecourt_mqtt_invalid_messages_dropped_total', '{reason="bad-payload"}')).toBe(before + 1);

    // The broker still works for a well-behaved client, and the bad payload never reached anyone.
    const good = await connectClient(gw.mqttUrl);
    await good.publishAsync(topic, JSON.stringify(state()), { qos: 1 });
    await waitFor(() => (seen.length > 0 ? true : undefined));
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0] ?? '{}').online).toBe(true);
    expect((await fetch(`${gw.httpUrl}/healthz`)).status).toBe(200);
    await Promise.all([watcher.endAsync(), good.endAsync(), bad.endAsync(true)]);
  });

  it('refuses a client that tries to speak for the gateway', async () => {
    const before = await metric('forecourt_mqtt_invalid_messages_dropped_total', '{reason="gateway-only"}');
    const spoofer = await connectClient(gw.mqttUrl);
    const closed = new Promise<void>((resolve) => spoofer.once('close', () => resolve()));
    spoofer.publish(topics.gatewayStatus(store()), JSON.stringify({ online: false, version: 'x', startedAt: new Date().toISOString(), demo: false }), { qos: 1, retain: true });
    await closed;
    expect(await metric('forecourt_mqtt_invalid_messages_dropped_total', '{reason="gateway-only"}')).toBe(before + 1);
    const reader = await connectClient(gw.mqttUrl);
    const status = JSON.parse((await nextMessage(reader, topics.gatewayStatus(store()))).payload.toString());
    expect(status.online).toBe(true);
    await Promise.all([reader.endAsync(), spoofer.endAsync(true)]);
  });

  it('reports connected clients and traffic on /metrics', async () => {
    const a = await connectClient(gw.mqttUrl);
    const b = await connectClient(gw.wsUrl);
    expect(await metric('forecourt_mqtt_connected_clients')).toBeGreaterThanOrEqual(2);
    expect(await metric('forecourt_mqtt_messages_in_total')).toBeGreaterThan(0);
    expect(await metric('forecourt_mqtt_messages_out_total')).toBeGreaterThan(0);
    expect(await metric('forecourt_database_bytes')).toBeGreaterThan(0);
    await Promise.all([a.endAsync(), b.endAsync()]);
  });
});
