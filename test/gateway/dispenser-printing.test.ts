import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeviceState, PrintJobList, topics } from '@forecourt/gateway/protocol';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';
import { command } from '../support/queue-api.js';
import { describeRealStack } from '../support/real-stack.js';
import { bearer, deviceLogin, deviceToken } from '../support/identities.js';
import { PtyPair, ToolProcess, type JsonEvent } from '../support/serial.js';

// The whole chain on real links: dispenser simulator ⇄ socat PTY ⇄ gateway ⇄ socat PTY ⇄
// printer emulator, both tools as their own processes, the gateway's state read off the bus. The
// printer is a plain model: GS r 1 confirms its jobs, and it has no buffer clear.

const BAUD = 115200;
const PUBLIC_URL = 'http://store.local:8080';

describeRealStack('dispenser and printer on serial lines', { binaries: ['socat'], debian: 'socat' }, () => {
  let dir: string;
  let dispLine: PtyPair;
  let printLine: PtyPair;
  let printer: ToolProcess;
  let dispenser: ToolProcess;
  let gw: TestGateway;
  let bus: MqttClient;
  let kiosk: Record<string, string>;
  const states = new Map<string, DeviceState>();
  let jobs: PrintJobList | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-serial-'));
    dispLine = new PtyPair(dir, 'disp');
    printLine = new PtyPair(dir, 'print');
    await Promise.all([dispLine.start(), printLine.start()]);
    printer = new ToolProcess('printer-emulator/main.js', ['--serial', printLine.b, '--baud', String(BAUD), '--encoding', 'gb18030', '--no-gs-h', '--no-clear', '--json']);
    await printer.waitFor((e) => e.event === 'listening');
    gw = await startTestGateway({
      configure: (config) => {
        config.devices.publicUrl = PUBLIC_URL;
        config.devices.printers.push({ id: 'printer-disp', transport: { type: 'serial', path: printLine.a, baudRate: BAUD }, profile: { encoding: 'gb18030', width: 80, qr: 'gs-k' } });
        config.devices.dispensers.push({ id: 'dispenser-1', serial: { path: dispLine.a, baudRate: BAUD }, buttons: { '1': 'maintenance', '2': 'repair' }, printer: 'printer-disp' });
      },
    });
    kiosk = bearer(deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
    // The desk's device panel: every device's state and the print jobs.
    bus = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'desk-pc-1', 'desk', '1'));
    bus.on('message', (topic, payload) => {
      const json: unknown = JSON.parse(payload.toString());
      if (topic === topics.printJobs(gw.config.store.id)) jobs = PrintJobList.parse(json);
      else states.set(topic.split('/')[4] ?? '', DeviceState.parse(json));
    });
    await bus.subscribeAsync([topics.deviceStateAll(gw.config.store.id), topics.printJobs(gw.config.store.id)], { qos: 1 });
    dispenser = new ToolProcess('dispenser-simulator/main.js', ['--port', dispLine.b, '--baud', String(BAUD), '--buttons', '3']);
    await dispenser.waitFor((e) => e.event === 'hello-ack' && e['data'] === 1);
    await waitFor(() => (states.get('dispenser-1')?.online && states.get('printer-disp')?.health === 'ok' ? true : undefined));
  });

  afterAll(async () => {
    await bus?.endAsync();
    await dispenser?.stop();
    await printer?.stop();
    await gw?.dispose();
    await Promise.all([dispLine?.kill(), printLine?.kill()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const pages = () => printer.events.filter((e) => e.event === 'page');
  const pageNumber = (e: JsonEvent) => /^([A-Z]\d{3})$/m.exec(String(e['text']))?.[1];
  const reprint = (e: JsonEvent) => String(e['text']).startsWith('重印\nREPRINT\n');
  /** A piece of paper: its number, marked REPRINT, the rest of a torn page, how it ended. */
  const piece = (e: JsonEvent) => `${pageNumber(e) ?? '-'}${reprint(e) ? ' REPRINT' : ''} ${e['continued'] ? 'rest, ' : ''}${String(e['ending'])}`;
  const allPrinted = () => (jobs?.jobs.every((j) => j.state !== 'queued') ? true : undefined);

  it('a button press prints a ticket on the dispenser printer, with a QR code to its status page', async () => {
    const before = pages().length;
    dispenser.send('press 1');
    const answer = await dispenser.waitFor((e) => e.event === 'ticket');
    expect(answer).toMatchObject({ button: 1, result: 'issued', number: 'A001', peopleAhead: 0 });

    const page = await printer.waitFor((e) => e.event === 'page', 10_000, printer.events.indexOf(pages()[before - 1]!) + 1);
    const text = String(page['text']);
    expect(text).toContain('A001');
    expect(text).toContain('保养');
    expect(text).toContain('您的号码 / Your number');
    const qr = /\[QR (\S+)\]/.exec(text)?.[1] ?? '';
    expect(qr).toMatch(new RegExp(`^${PUBLIC_URL}/t/[0-9a-f-]{36}$`));
    const ticketId = qr.split('/t/')[1]!;
    const status = (await (await fetch(`${gw.httpUrl}/api/queue/tickets/${ticketId}`)).json()) as { ticket: { number: string; service: string } };
    expect(status.ticket).toMatchObject({ number: 'A001', service: 'maintenance' });
    const statusPage = await (await fetch(`${gw.httpUrl}/t/${ticketId}`)).text();
    expect(statusPage).toContain('A001');
    expect(statusPage).toContain('前面还有');
    expect(statusPage).toContain('People ahead');

    await waitFor(() => (jobs?.jobs.find((j) => j.label === 'A001')?.state === 'printed' ? true : undefined));
    const job = jobs?.jobs.find((j) => j.label === 'A001');
    expect(job).toMatchObject({ kind: 'ticket', printer: 'printer-disp', attempts: 1 });
    expect(JSON.stringify(jobs)).not.toContain(ticketId);
  });

  it('rejects and counts noise, bad checksums, truncated and oversized frames, and issues no ticket for them', async () => {
    const waiting = async () => ((await (await fetch(`${gw.httpUrl}/api/queue/desks/1`, { headers: gw.admin })).json()) as { queues: { waitingCount: number }[] }).queues.reduce((n, q) => n + q.waitingCount, 0);
    const before = await waiting();
    const ticketsBefore = dispenser.events.filter((e) => e.event === 'ticket').length;
    for (const cmd of ['noise 300', 'bad-checksum', 'oversized', 'noise 50', 'truncated']) dispenser.send(cmd);

    const counted = async () => {
      const metrics = await (await fetch(`${gw.httpUrl}/metrics`, { headers: gw.admin })).text();
      const value = (kind: string) => Number(new RegExp(`forecourt_dispenser_rejected_total\\{device="dispenser-1",kind="${kind}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
      return { noise: value('noiseBytes'), badChecksum: value('badChecksum'), oversized: value('oversized'), truncated: value('truncated') };
    };
    const counts = await waitFor(async () => {
      const c = await counted();
      return c.noise > 0 && c.badChecksum > 0 && c.oversized > 0 && c.truncated > 0 ? c : undefined;
    });
    expect(counts.badChecksum).toBeGreaterThanOrEqual(1);
    expect(await waiting()).toBe(before);
    expect(dispenser.events.filter((e) => e.event === 'ticket')).toHaveLength(ticketsBefore);

    // The line still works: the next press is answered.
    dispenser.send('press 2');
    await dispenser.waitFor((e) => e.event === 'ticket' && e['button'] === 2);
    expect(states.get('dispenser-1')?.online).toBe(true);
  });

  it('shows a pulled dispenser cable and a pulled printer cable as offline, and back when replugged', async () => {
    await dispLine.kill();
    await waitFor(() => (states.get('dispenser-1')?.online === false ? true : undefined), 5000);
    expect(states.get('dispenser-1')?.reason).toBe('offline');
    await dispLine.start();
    await waitFor(() => (states.get('dispenser-1')?.online === true ? true : undefined), 10_000);

    // No job on the way (a job cut off by the cable is the printer agent test's).
    await waitFor(allPrinted, 15_000);
    await printLine.kill();
    await waitFor(() => (states.get('printer-disp')?.online === false ? true : undefined), 5000);
    await printLine.start();
    await waitFor(() => (states.get('printer-disp')?.online === true && states.get('printer-disp')?.health === 'ok' ? true : undefined), 15_000);

    // After both came back, a press prints again.
    const from = printer.events.length;
    dispenser.send('press 1');
    const answer = await dispenser.waitFor((e) => e.event === 'ticket' && e['result'] === 'issued', 10_000, dispenser.events.length);
    const page = await printer.waitFor((e) => e.event === 'page', 10_000, from);
    expect(pageNumber(page)).toBe(answer['number']);
  });

  it('paper out in the middle of the 3rd of 5 tickets: 1–2 confirmed, 3–5 not; after paper-in the torn rest, then 3 whole and marked, then 4 and 5, each once, in order', async () => {
    await waitFor(allPrinted, 15_000);
    const ticketLines = Number(pages()[0]!['lines']);
    const from = printer.events.length;
    printer.send(`paper ${Math.round(ticketLines * 2.5)}`);
    const tickets: { id: string; number: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const issued = await command(gw.httpUrl, { action: 'issue', service: 'sales' }, kiosk);
      tickets.push(issued.body.ticket!);
      const res = await fetch(`${gw.httpUrl}/api/print/ticket/${issued.body.ticket!.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...kiosk },
        body: JSON.stringify({ printer: 'printer-disp' }),
      });
      expect(res.status).toBe(200);
    }
    const numbers = tickets.map((t) => t.number);
    await printer.waitFor((e) => e.event === 'paper-out', 15_000, from);
    await waitFor(() => (states.get('printer-disp')?.reason === 'paper-out' ? true : undefined), 10_000);
    const stateOf = () => numbers.map((n) => jobs?.jobs.find((j) => j.label === n)?.state);
    await waitFor(() => (stateOf().join() === 'printed,printed,queued,queued,queued' ? true : undefined));
    expect(printer.events.slice(from).filter((e) => e.event === 'page').map(piece)).toEqual([`${numbers[0]} cut`, `${numbers[1]} cut`, `${numbers[2]} paper-out`]);

    // A dispenser press while the paper is out is refused: no ticket that cannot be printed.
    dispenser.send('press 1');
    await dispenser.waitFor((e) => e.event === 'ticket' && e['result'] === 'unavailable', 10_000, dispenser.events.length);

    printer.send('paper-in');
    await waitFor(() => (stateOf().every((s) => s === 'printed') ? true : undefined), 20_000);
    // Without a buffer clear the printer first prints what it held of the 3rd ticket.
    expect(printer.events.slice(from).filter((e) => e.event === 'page').map(piece)).toEqual([
      `${numbers[0]} cut`,
      `${numbers[1]} cut`,
      `${numbers[2]} paper-out`,
      '- rest, cut',
      `${numbers[2]} REPRINT cut`,
      `${numbers[3]} cut`,
      `${numbers[4]} cut`,
    ]);
    expect(numbers.map((n) => jobs?.jobs.find((j) => j.label === n)?.attempts)).toEqual([1, 1, 2, 1, 1]);
    expect(states.get('printer-disp')?.health).toBe('ok');
  });
});
