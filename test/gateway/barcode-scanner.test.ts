import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeviceState, ScanResult, topics } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient } from '../support/mqtt.js';
import { deviceLogin } from '../support/identities.js';
import { waitFor } from '../support/process.js';
import { describeRealStack } from '../support/real-stack.js';
import { PtyPair } from '../support/serial.js';

// A bay's serial barcode scanner on a real PTY pair: the gateway's scanner agent reads one end,
// the test types `<barcode>\r\n` into the other, as the scanner's firmware would.

const SCANNER = 'bay-3-scanner';

describeRealStack('serial barcode scanner at a bay', { binaries: ['socat'], debian: 'socat' }, () => {
  let dir: string;
  let line: PtyPair;
  let gw: TestGateway;
  let client: MqttClient;
  let observer: MqttClient;
  const states: DeviceState[] = [];
  const results: ScanResult[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-scanner-'));
    line = new PtyPair(dir, 'scanner');
    await line.start();
    gw = await startTestGateway({ configure: (config) => config.workshop.scanners.push({ id: SCANNER, path: line.a, baudRate: 9600 }) });
    // The desk's device panel reads the scanner's state.
    client = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'desk-pc-1', 'desk', '1'));
    client.on('message', (topic, payload) => {
      if (topic === topics.deviceState(gw.config.store.id, SCANNER)) states.push(DeviceState.parse(JSON.parse(payload.toString())));
    });
    await client.subscribeAsync(topics.deviceState(gw.config.store.id, SCANNER), { qos: 1 });
    // Scan results are for the scanner itself and the bay screens: the test reads them as a bay.
    observer = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'bay-3-screen', 'bay', '3'));
    observer.on('message', (topic, payload) => {
      if (topic === topics.deviceScanResult(gw.config.store.id, SCANNER)) results.push(ScanResult.parse(JSON.parse(payload.toString())));
    });
    await observer.subscribeAsync(topics.deviceScanResult(gw.config.store.id, SCANNER), { qos: 1 });
  });
  afterAll(async () => {
    await client?.endAsync();
    await observer?.endAsync();
    await gw?.dispose();
    await line?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the scanner sends for one barcode: the code, then CR LF. */
  function type(text: string): void {
    const fd = openSync(line.b, 'w');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  }

  async function order(no: string): Promise<{ stage: string; history: { stage: string; by: string }[] }> {
    const res = await fetch(`${gw.httpUrl}/api/workshop/orders/${no}`, { headers: gw.admin });
    return ((await res.json()) as { order: { stage: string; history: { stage: string; by: string }[] } }).order;
  }

  async function openDispatched(plate: string): Promise<string> {
    const res = await fetch(`${gw.httpUrl}/api/workshop/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gw.admin },
      body: JSON.stringify({ action: 'open', plate, model: 'BYD Han EV', advisor: '李强', jobs: [{ title: 'Tyres', technicians: ['刘洋'] }] }),
    });
    const no = ((await res.json()) as { order: { no: string } }).order.no;
    await fetch(`${gw.httpUrl}/api/workshop/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gw.admin },
      body: JSON.stringify({ action: 'move', order: no, to: 'dispatched' }),
    });
    return no;
  }

  it('reports itself on the bus, and a job card then an action start the job', async () => {
    await waitFor(() => (states.at(-1)?.online && states.at(-1)?.health === 'ok' ? true : undefined));
    expect(states.at(-1)).toMatchObject({ kind: 'barcode-scanner', online: true, health: 'ok' });
    const no = await openDispatched('粤B·S0001');
    type(`${no}/1\r\n`);
    await waitFor(() => results.find((r) => r.code === 'card-read' && r.order === no));
    type('ACT-START\r\n');
    await waitFor(async () => ((await order(no)).stage === 'in-repair' ? true : undefined));
    expect((await order(no)).history.at(-1)).toMatchObject({ stage: 'in-repair', by: `barcode-scanner:${SCANNER}` });
    expect(results.at(-1)).toMatchObject({ ok: true, code: 'done', order: no, job: 1, stage: 'in-repair' });
  });

  it('drops line noise without losing the link, and reads CR-only and LF-only scanners too', async () => {
    const no = await openDispatched('粤B·S0002');
    type('\x01\x02 two words \x7f\r\n\r\n');
    type(`${no}/1\r`);
    type('act-start\n');
    await waitFor(async () => ((await order(no)).stage === 'in-repair' ? true : undefined));
    expect(results.filter((r) => r.order === no).map((r) => r.code)).toEqual(['card-read', 'done']);
  });

  it('says the scanner is unplugged when the line goes away, and carries on once it is back', async () => {
    await line.kill();
    await waitFor(() => (states.at(-1)?.reason === 'scanner-unplugged' ? true : undefined));
    expect(states.at(-1)).toMatchObject({ online: true, health: 'error', reason: 'scanner-unplugged' });

    await line.start();
    await waitFor(() => (states.at(-1)?.health === 'ok' ? true : undefined), 10_000);
    const no = await openDispatched('粤B·S0003');
    type(`${no}/1\r\nACT-START\r\n`);
    await waitFor(async () => ((await order(no)).stage === 'in-repair' ? true : undefined));
  });
});
