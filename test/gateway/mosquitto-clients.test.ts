import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { topics } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient, nextMessage } from '../support/mqtt.js';
import { describeRealStack } from '../support/real-stack.js';
import { deviceLogin } from '../support/identities.js';

const run = promisify(execFile);

/** mosquitto_pub/sub's credentials of a provisioned device: `-i ID -u ID -P TOKEN`. */
function as(login: { clientId: string; username: string; password: string }): string[] {
  return ['-i', login.clientId, '-u', login.username, '-P', login.password];
}

describeRealStack('independent MQTT client (mosquitto-clients)', { binaries: ['mosquitto_pub', 'mosquitto_sub'], debian: 'mosquitto-clients' }, () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.dispose();
  });
  const state = (reason: string) => JSON.stringify({ kind: 'printer', online: true, health: 'ok', reason, at: new Date().toISOString() });

  it('mosquitto_pub → gateway → mosquitto_sub over TCP', async () => {
    // A printer reports its state; a desk PC reads it. Both with their own credentials.
    const topic = topics.deviceState(gw.config.store.id, 'mosq-device');
    const port = String(gw.gateway.mqttPort);
    const desk = deviceLogin(gw.gateway, 'mosq-desk', 'desk', '1');
    const printer = deviceLogin(gw.gateway, 'mosq-device', 'printer');
    const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, ...as(desk), '-t', topic, '-C', '1', '-W', '10', '-q', '1']);
    let received = '';
    sub.stdout.on('data', (d: Buffer) => (received += d.toString()));
    const exited = new Promise<number | null>((resolve) => sub.on('exit', resolve));
    // mosquitto_sub has no "subscribed" signal: publish until it has seen one message.
    const payload = state('paper-low');
    const timer = setInterval(() => void run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, ...as(printer), '-t', topic, '-m', payload, '-q', '1']).catch(() => undefined), 200);
    const code = await exited;
    clearInterval(timer);
    expect(code).toBe(0);
    expect(JSON.parse(received.trim())).toEqual({ kind: 'printer', online: true, health: 'ok', reason: 'paper-low', at: expect.any(String) });
  });

  it('mosquitto_sub reads the retained gateway status that mqtt.js sees', async () => {
    const port = String(gw.gateway.mqttPort);
    const topic = topics.gatewayStatus(gw.config.store.id);
    const { stdout } = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, ...as(deviceLogin(gw.gateway, 'mosq-board', 'board')), '-t', topic, '-C', '1', '-W', '5']);
    const client = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'mqttjs-board', 'board'));
    const viaMqttJs = await nextMessage(client, topic);
    await client.endAsync();
    expect(JSON.parse(stdout)).toEqual(JSON.parse(viaMqttJs.payload.toString()));
    // Outside demo mode a client without credentials, or with a wrong password, is not let in.
    await expect(run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-t', topic, '-C', '1', '-W', '5'])).rejects.toThrow(/not authori[sz]ed/i);
    await expect(
      run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-i', 'mosq-board', '-u', 'mosq-board', '-P', 'fcd.mosq-board.wrong', '-t', topic, '-C', '1', '-W', '5']),
    ).rejects.toThrow(/bad user name or password/i);
  });

  it('an invalid payload from mosquitto_pub is dropped and never delivered', async () => {
    const port = String(gw.gateway.mqttPort);
    const topic = topics.deviceState(gw.config.store.id, 'mosq-bad');
    const printer = deviceLogin(gw.gateway, 'mosq-bad', 'printer');
    const watcher = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'mosq-watcher', 'desk', '2'));
    const seen: string[] = [];
    watcher.on('message', (_t, p) => seen.push(p.toString()));
    await watcher.subscribeAsync(topic, { qos: 1 });
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, ...as(printer), '-t', topic, '-m', 'not json', '-q', '0']).catch(() => undefined);
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, ...as(printer), '-t', topic, '-m', state('after-noise'), '-q', '1']);
    await expect.poll(() => seen.length).toBe(1);
    expect(JSON.parse(seen[0] ?? '{}').reason).toBe('after-noise');
    await watcher.endAsync();
  });
});
