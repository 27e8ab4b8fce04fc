import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics, type PrintJobSummary } from '@forecourt/gateway/protocol';
import { DispenserTicket } from '../../gateway/src/protocol/dispenser-agent.js';
import type { Config } from '@forecourt/gateway';
import { PrinterEmulator, type PrintedPage } from '../../gateway/src/tools/printer-emulator/printer-emulator.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, deviceLogin, deviceToken } from '../support/identities.js';
import { connectClient } from '../support/mqtt.js';
import { freePort, waitFor } from '../support/process.js';
import { command } from '../support/queue-api.js';
import { describeRealStack } from '../support/real-stack.js';
import { PtyPair, ToolProcess } from '../support/serial.js';

// The printer and dispenser agents as their own processes, as on a kiosk PC: MQTT clients of the
// gateway's broker with provisioned credentials, the printer emulator on loopback TCP, the
// dispenser simulator on a socat PTY. The gateway (and its broker) restarted mid-job and the
// agent killed mid-job: every ticket comes out, none twice unless torn (then marked 重印).

const TOOLS = fileURLToPath(new URL('../../gateway/dist/tools/', import.meta.url));
const PRINTER = 'kiosk-printer';

/** An agent tool (printer-agent.js, dispenser-agent.js) as its own process. */
class Agent {
  private child: ChildProcess | undefined;
  output = '';

  constructor(
    private readonly tool: string,
    private readonly args: () => string[],
  ) {}

  start(): void {
    const child = spawn(process.execPath, [join(TOOLS, this.tool), ...this.args()], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '' } });
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** What a piece of paper says: its ticket number, REPRINT when marked, and how it ended. */
function describePiece(p: PrintedPage): string {
  const number = /^([A-Z]\d{3})$/m.exec(p.text)?.[1] ?? '-';
  const reprint = p.text.startsWith('重印\nREPRINT\n') ? ' REPRINT' : '';
  return `${number}${reprint} ${p.continued ? 'rest, ' : ''}${p.ending}`;
}

let mqttPort: number;
let gw: TestGateway;
let emulator: PrinterEmulator;
let printerPort: number;
let token: string;
let kiosk: Record<string, string>;
const agents: Agent[] = [];

function configure(config: Config): void {
  config.mqtt.port = mqttPort;
  // The profile of a model with GS ( H and the buffer clear; the agent is told the same.
  config.devices.printers.push({ id: PRINTER, agent: 'remote', profile: { encoding: 'gb18030', width: 80, qr: 'gs-k', confirm: 'gs-h', clearBuffer: true } });
  config.devices.printers.push({ id: 'other-printer', agent: 'remote', profile: { encoding: 'gb18030', width: 80, qr: 'gs-k' } });
  config.devices.kioskPrinter = PRINTER;
  config.devices.dispensers.push({ id: 'dispenser-r', agent: 'remote', buttons: { '1': 'maintenance', '2': 'repair' }, printer: PRINTER });
}

function printerAgent(): Agent {
  const agent = new Agent('printer-agent.js', () => [
    '--broker', `mqtt://127.0.0.1:${mqttPort}`, '--store', gw.config.store.id, '--id', PRINTER, '--token', token,
    '--tcp', `127.0.0.1:${printerPort}`, '--confirm', 'gs-h', '--clear-buffer',
  ]);
  agents.push(agent);
  return agent;
}

async function job(id: string): Promise<PrintJobSummary> {
  const res = await fetch(`${gw.httpUrl}/api/print/jobs/${id}`, { headers: gw.admin });
  return ((await res.json()) as { job: PrintJobSummary }).job;
}

async function printerCondition(): Promise<{ online: boolean; health: string } | undefined> {
  const res = await fetch(`${gw.httpUrl}/api/print/printers`, { headers: gw.admin });
  const { printers } = (await res.json()) as { printers: { id: string; condition: { online: boolean; health: string } }[] };
  return printers.find((p) => p.id === PRINTER)?.condition;
}

/** Issues queue tickets and queues each on the kiosk printer; their numbers and job ids. */
async function printTickets(count: number): Promise<{ number: string; job: string }[]> {
  const queued = [];
  for (let i = 0; i < count; i++) {
    const { ticket } = (await command(gw.httpUrl, { action: 'issue', service: 'repair' }, kiosk)).body;
    const res = await fetch(`${gw.httpUrl}/api/print/ticket/${ticket!.id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...kiosk }, body: '{}' });
    const { job: printJob } = (await res.json()) as { job: PrintJobSummary };
    queued.push({ number: ticket!.number, job: printJob.id });
  }
  return queued;
}

const allPrinted = async (jobs: { job: string }[]) => ((await Promise.all(jobs.map((j) => job(j.job)))).every((j) => j.state === 'printed') ? true : undefined);
const piecesOf = (number: string) => emulator.printed.map(describePiece).filter((p) => p.startsWith(`${number} `));

beforeAll(async () => {
  mqttPort = await freePort();
  gw = await startTestGateway({ configure });
  token = deviceToken(gw.gateway, PRINTER, 'printer');
  kiosk = bearer(deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
});

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop();
  await emulator?.close();
});

afterAll(async () => {
  await gw?.dispose();
});

async function startPrinter(linesPerSecond: number): Promise<void> {
  emulator = new PrinterEmulator({ encoding: 'gb18030', linesPerSecond });
  printerPort = await emulator.listenTcp(0);
}

describe('remote printer agent on loopback TCP', () => {
  it('prints queued tickets sent over the bus, each once, and the gateway marks them printed on the in-order answer', async () => {
    await startPrinter(200);
    const agent = printerAgent();
    agent.start();
    await waitFor(async () => ((await printerCondition())?.health === 'ok' ? true : undefined), 15_000);
    const tickets = await printTickets(3);
    await waitFor(() => allPrinted(tickets), 15_000);
    for (const t of tickets) expect(piecesOf(t.number)).toEqual([`${t.number} cut`]);
    expect((await job(tickets[0]!.job)).attempts).toBe(1);
  });

  it('the gateway (and its broker) restarted mid-job: every ticket prints exactly once, none lost, all confirmed after the restart', async () => {
    await startPrinter(12);
    const agent = printerAgent();
    agent.start();
    await waitFor(async () => ((await printerCondition())?.health === 'ok' ? true : undefined), 15_000);
    const tickets = await printTickets(3);
    // The first ticket is on its way to the paper: the agent said "started".
    await waitFor(async () => ((await job(tickets[0]!.job)).attempts > 0 ? true : undefined), 15_000);
    await gw.stop();
    // The agent prints on without the broker: the first ticket comes out and is confirmed meanwhile.
    await waitFor(() => (emulator.printed.length >= 1 ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(agent.output).toContain('broker unreachable');
    gw = await startTestGateway({ dataDir: gw.dataDir, configure });
    await waitFor(() => allPrinted(tickets), 30_000);
    for (const t of tickets) expect(piecesOf(t.number)).toEqual([`${t.number} cut`]);
    expect(emulator.printed).toHaveLength(3);
  });

  it('the agent killed mid-job and started again: nothing lost; the job it was printing comes out whole, marked 重印 if it was sent before', async () => {
    await startPrinter(12);
    const first = printerAgent();
    first.start();
    await waitFor(async () => ((await printerCondition())?.health === 'ok' ? true : undefined), 15_000);
    const tickets = await printTickets(3);
    await waitFor(async () => ((await job(tickets[1]!.job)).attempts > 0 ? true : undefined), 20_000);
    await first.stop('SIGKILL');
    await waitFor(async () => ((await printerCondition())?.online === false ? true : undefined));
    const second = printerAgent();
    second.start();
    await waitFor(() => allPrinted(tickets), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(piecesOf(tickets[0]!.number)).toEqual([`${tickets[0]!.number} cut`]);
    // The 2nd: whatever the printer made of the first try, then one whole copy, marked.
    const second2 = piecesOf(tickets[1]!.number);
    expect(second2.at(-1)).toBe(`${tickets[1]!.number} REPRINT cut`);
    expect(second2.slice(0, -1).every((p) => !p.includes('REPRINT'))).toBe(true);
    expect(second2.length).toBeLessThanOrEqual(2);
    expect(piecesOf(tickets[2]!.number)).toEqual([`${tickets[2]!.number} cut`]);
  });

  it("another printer's agent cannot report a job printed, and a report that fails its schema is refused: the job stays queued and prints once", async () => {
    await startPrinter(200);
    const [ticket] = await printTickets(1);
    const store = gw.config.store.id;
    const other = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'other-printer', 'printer'));
    await other.publishAsync(topics.printAgentReport(store, 'other-printer'), JSON.stringify({ job: ticket!.job, event: 'printed', at: new Date().toISOString() }), { qos: 1 });
    const closed = new Promise<void>((resolve) => other.once('close', () => resolve()));
    other.publish(topics.printAgentReport(store, 'other-printer'), JSON.stringify({ job: ticket!.job, event: 'done' }), { qos: 1 });
    await closed;
    await other.endAsync(true);
    expect(await job(ticket!.job)).toMatchObject({ state: 'queued', attempts: 0 });
    printerAgent().start();
    await waitFor(() => allPrinted([ticket!]), 15_000);
    expect(piecesOf(ticket!.number)).toEqual([`${ticket!.number} cut`]);
  });

  it('a kiosk that stops waiting takes back a job the agent has not started; it never comes out', async () => {
    await startPrinter(4);
    const agent = printerAgent();
    agent.start();
    await waitFor(async () => ((await printerCondition())?.health === 'ok' ? true : undefined), 15_000);
    // The first ticket keeps the printer busy for seconds; the second waits behind it.
    const [busy] = await printTickets(1);
    await waitFor(async () => ((await job(busy!.job)).attempts > 0 ? true : undefined), 15_000);
    const { ticket } = (await command(gw.httpUrl, { action: 'issue', service: 'repair' }, kiosk)).body;
    const res = await fetch(`${gw.httpUrl}/api/print/ticket/${ticket!.id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...kiosk }, body: JSON.stringify({ waitMs: 500 }) });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not-printed');
    await waitFor(() => allPrinted([busy!]), 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(piecesOf(ticket!.number)).toEqual([]);
  });
});

describe('remote dispenser events', () => {
  it('a press delivered twice, and again after a gateway restart, is one ticket with one answer', async () => {
    await startPrinter(200);
    printerAgent().start();
    await waitFor(async () => ((await printerCondition())?.health === 'ok' ? true : undefined), 15_000);
    const store = gw.config.store.id;
    const login = deviceLogin(gw.gateway, 'dispenser-r', 'dispenser');
    const press = async (event: string): Promise<DispenserTicket[]> => {
      const client = await connectClient(gw.mqttUrl, login);
      const answers: DispenserTicket[] = [];
      client.on('message', (_t, payload) => answers.push(DispenserTicket.parse(JSON.parse(payload.toString()))));
      await client.subscribeAsync(topics.dispenserTicket(store, 'dispenser-r'), { qos: 1 });
      const body = JSON.stringify({ event, button: 2, at: new Date().toISOString() });
      // The same event twice, as a QoS 1 redelivery would bring it.
      await client.publishAsync(topics.dispenserButton(store, 'dispenser-r'), body, { qos: 1 });
      await client.publishAsync(topics.dispenserButton(store, 'dispenser-r'), body, { qos: 1 });
      await waitFor(() => (answers.length === 2 ? true : undefined));
      await client.endAsync();
      return answers;
    };
    const event = '3f2a1b7c-0d4e-4f5a-8b6c-7d8e9f0a1b2c';
    const first = await press(event);
    expect(first[0]).toMatchObject({ event, button: 2, result: 'issued' });
    expect(first[1]).toEqual(first[0]);
    const number = first[0]!.number;
    await waitFor(() => (piecesOf(number).length > 0 ? true : undefined), 15_000);

    await gw.stop();
    gw = await startTestGateway({ dataDir: gw.dataDir, configure });
    await waitFor(async () => ((await printerCondition())?.health === 'ok' ? true : undefined), 15_000);
    const again = await press(event);
    expect(again).toEqual([first[0], first[0]]);
    // A new press is the next ticket: nothing was issued in between.
    const next = await press('5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e');
    expect(Number(next[0]!.number.slice(1))).toBe(Number(number.slice(1)) + 1);
    await waitFor(() => (piecesOf(next[0]!.number).length > 0 ? true : undefined), 15_000);
    expect(piecesOf(number)).toEqual([`${number} cut`]);
  });
});

describeRealStack('remote dispenser agent on a socat PTY', { binaries: ['socat'], debian: 'socat' }, () => {
  let dir: string;
  let line: PtyPair;
  let dispenser: ToolProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-remote-disp-'));
    line = new PtyPair(dir, 'disp');
    await line.start();
  });

  afterAll(async () => {
    await dispenser?.stop();
    await line?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a button press on the dispenser issues a ticket that prints on its (remote) printer, once', async () => {
    await startPrinter(200);
    printerAgent().start();
    await waitFor(async () => ((await printerCondition())?.health === 'ok' ? true : undefined), 15_000);
    const dispToken = deviceToken(gw.gateway, 'dispenser-r', 'dispenser');
    const agent = new Agent('dispenser-agent.js', () => ['--broker', `mqtt://127.0.0.1:${mqttPort}`, '--store', gw.config.store.id, '--id', 'dispenser-r', '--token', dispToken, '--serial', line.a, '--baud', '115200']);
    agents.push(agent);
    agent.start();
    dispenser = new ToolProcess('dispenser-simulator/main.js', ['--port', line.b, '--baud', '115200', '--buttons', '2']);
    await dispenser.waitFor((e) => e.event === 'hello-ack' && e['data'] === 1, 15_000);
    // The counts for its display came from the gateway, per button.
    await dispenser.waitFor((e) => e.event === 'counts', 15_000);
    const from = dispenser.events.length;
    dispenser.send('press 1');
    const ticket = await dispenser.waitFor((e) => e.event === 'ticket', 15_000, from);
    expect(ticket).toMatchObject({ button: 1, result: 'issued' });
    const number = String(ticket['number']);
    await waitFor(() => (piecesOf(number).length > 0 ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(piecesOf(number)).toEqual([`${number} cut`]);
  });
});
