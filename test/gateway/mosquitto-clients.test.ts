import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { topics } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { describeRealStack } from '../support/real-stack.js';

const run = promisify(execFile);

describeRealStack('independent MQTT client (mosquitto-clients)', { binaries: ['mosquitto_pub', 'mosquitto_sub'], debian: 'mosquitto-clients' }, () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.dispose();
  });

  it('mosquitto_pub → gateway → mosquitto_sub over TCP', async () => {
    const topic = topics.deviceHeartbeat(gw.config.store.id, 'mosq-device');
    const port = String(gw.gateway.mqttPort);
    const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-t', topic, '-C', '1', '-W', '10', '-q', '1']);
    let received = '';
    sub.stdout.on('data', (d: Buffer) => (received += d.toString()));
    const exited = new Promise<number | null>((resolve) => sub.on('exit', resolve));
    // mosquitto_sub has no "subscribed" signal: publish until it has seen one message.
    const payload = JSON.stringify({ at: new Date().toISOString(), uptimeS: 42 });
    const timer = setInterval(() => void run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-t', topic, '-m', payload, '-q', '1']).catch(() => undefined), 200);
    const code = await exited;
    clearInterval(timer);
    expect(code).toBe(0);
    expect(JSON.parse(received.trim())).toEqual({ at: expect.any(String), uptimeS: 42 });
  });

  it('mosquitto_sub reads the retained gateway status that mqtt.js sees', async () => {
    const port = String(gw.gateway.mqttPort);
    const topic = topics.gatewayStatus(gw.config.store.id);
    const { stdout } = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-t', topic, '-C', '1', '-W', '5']);
    const client = await connectClient(gw.mqttUrl);
    const viaMqttJs = await nextMessage(client, topic);
    await client.endAsync();
    expect(JSON.parse(stdout)).toEqual(JSON.parse(viaMqttJs.payload.toString()));
  });

  it('an invalid payload from mosquitto_pub is dropped and never delivered', async () => {
    const port = String(gw.gateway.mqttPort);
    const topic = topics.deviceHeartbeat(gw.config.store.id, 'mosq-bad');
    const watcher = await connectClient(gw.mqttUrl);
    const seen: string[] = [];
    watcher.on('message', (_t, p) => seen.push(p.toString()));
    await watcher.subscribeAsync(topic, { qos: 1 });
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-t', topic, '-m', 'not json', '-q', '0']).catch(() => undefined);
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-t', topic, '-m', JSON.stringify({ at: new Date().toISOString(), uptimeS: 1 }), '-q', '1']);
    await expect.poll(() => seen.length).toBe(1);
    expect(JSON.parse(seen[0] ?? '{}').uptimeS).toBe(1);
    await watcher.endAsync();
  });
});
