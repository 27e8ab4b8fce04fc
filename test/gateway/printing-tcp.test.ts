import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceState, PrintJobList, topics } from '@forecourt/gateway/protocol';
import { PrinterEmulator, type PrintedPage } from '../../gateway/src/tools/printer-emulator/printer-emulator.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { connectClient } from '../support/mqtt.js';
import { waitFor } from '../support/process.js';
import { command } from '../support/queue-api.js';
import { bearer, deviceLogin, deviceToken, staffToken } from '../support/identities.js';

// A kiosk's printer on TCP 9100 (the emulator on a loopback port): the kiosk's print request,
// the desk's reprint, preview and test print, and what happens when the paper runs out.

let emulator: PrinterEmulator;
let port: number;
let gw: TestGateway;
let bus: MqttClient;
let printer: DeviceState | undefined;
let jobs: PrintJobList | undefined;
/** The kiosk takes and prints tickets; the receptionist's desk reprints, previews and test-prints. */
let kiosk: Record<string, string>;
let desk: Record<string, string>;

async function post(path: string, body: unknown, as: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> & { error?: { code: string; reason?: string } } }> {
  const res = await fetch(`${gw.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...as }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function get(path: string, as: Record<string, string>): Promise<Response> {
  return fetch(`${gw.httpUrl}${path}`, { headers: as });
}

async function issue(service = 'repair'): Promise<{ id: string; number: string }> {
  const answer = await command(gw.httpUrl, { action: 'issue', service }, kiosk);
  return answer.body.ticket!;
}

beforeAll(async () => {
  emulator = new PrinterEmulator({ encoding: 'big5' });
  port = await emulator.listenTcp(0);
  gw = await startTestGateway({
    configure: (config) => {
      config.store.language = 'zh-Hant';
      config.devices.printers.push({ id: 'printer-kiosk', transport: { type: 'tcp', host: '127.0.0.1', port }, profile: { encoding: 'big5', width: 58, qr: 'raster' } });
      config.devices.kioskPrinter = 'printer-kiosk';
      config.devices.deskPrinter = 'printer-kiosk';
    },
  });
  kiosk = bearer(deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
  desk = bearer(staffToken(gw.gateway, 'receptionist'));
  // The desk's device panel: the printer's state and the print jobs.
  bus = await connectClient(gw.mqttUrl, deviceLogin(gw.gateway, 'desk-pc-1', 'desk', '1'));
  bus.on('message', (topic, payload) => {
    const json: unknown = JSON.parse(payload.toString());
    if (topic === topics.printJobs(gw.config.store.id)) jobs = PrintJobList.parse(json);
    else printer = DeviceState.parse(json);
  });
  await bus.subscribeAsync([topics.deviceState(gw.config.store.id, 'printer-kiosk'), topics.printJobs(gw.config.store.id)], { qos: 1 });
  await waitFor(() => (printer?.online ? true : undefined));
});

afterAll(async () => {
  await bus?.endAsync();
  await gw?.dispose();
  await emulator?.close();
});

describe('printing on a TCP printer', () => {
  it('prints the kiosk ticket and answers only once the printer confirmed it', async () => {
    const ticket = await issue();
    const answer = await post(`/api/print/ticket/${ticket.id}`, { waitMs: 5000 }, kiosk);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ printed: true, job: { kind: 'ticket', label: ticket.number, state: 'printed', attempts: 1 } });
    const page = emulator.printed.at(-1)!;
    expect(page.text).toContain(ticket.number);
    expect(page.text).toContain('維修');
    expect(page.page.blocks.some((b) => b.kind === 'image')).toBe(true);
  });

  it('reprints a job from the desk, previews it as SVG and decoded text, and test-prints both slips', async () => {
    await waitFor(() => (jobs?.jobs.length ? true : undefined));
    const original = jobs!.jobs.find((j) => j.kind === 'ticket')!;
    const before = emulator.printed.length;
    const reprint = await post(`/api/print/jobs/${original.id}/reprint`, {}, desk);
    expect(reprint.status).toBe(200);
    const job = reprint.body['job'] as { id: string; reprintOf: string };
    expect(job.reprintOf).toBe(original.id);
    await waitFor(() => (emulator.printed.length === before + 1 ? true : undefined));
    expect(emulator.printed.at(-1)!.text).toBe(emulator.printed.at(-2)!.text);

    const svg = await get(`/api/print/jobs/${job.id}/preview.svg`, desk);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(await svg.text()).toContain(original.label);
    const detail = (await (await get(`/api/print/jobs/${job.id}`, desk)).json()) as { pages: { text: string }[] };
    expect(detail.pages[0]?.text).toContain('您的號碼');

    const test = await post('/api/print/printers/printer-kiosk/test', {}, desk);
    expect(test.status).toBe(200);
    await waitFor(() => (emulator.printed.length === before + 3 ? true : undefined));
    const [slip, pass] = emulator.printed.slice(-2).map((p: PrintedPage) => p.text);
    expect(slip).toContain('接車單');
    expect(pass).toContain('出廠放行條');
    expect(pass).toContain('￥1,280.00');
  });

  it('tells the kiosk when the paper runs out in its ticket, refuses the next at once, and never prints the torn ticket again', async () => {
    // A few lines of paper left: the ticket starts, and the paper ends in it.
    const before = emulator.printed.length;
    emulator.setPaper(4);
    const first = await issue();
    const answer = await post(`/api/print/ticket/${first.id}`, { waitMs: 3000 }, kiosk);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: 'not-printed', reason: 'paper-out' });
    await waitFor(() => (printer?.reason === 'paper-out' ? true : undefined));
    expect(printer).toMatchObject({ online: true, health: 'error' });

    const second = await issue();
    const refused = await post(`/api/print/ticket/${second.id}`, { waitMs: 3000 }, kiosk);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'printer-not-ready', reason: 'paper-out' });

    emulator.setPaper(Infinity);
    await waitFor(() => (printer?.health === 'ok' ? true : undefined), 10_000);
    await waitFor(() => (emulator.idle && jobs?.jobs.every((j) => j.state !== 'queued') ? true : undefined));
    // This printer has no buffer clear (its profile says nothing): the rest of the torn ticket
    // comes out when the paper is back — but the ticket is not printed again, whole or marked.
    expect(emulator.printed.slice(before).map((p) => `${p.continued ? 'rest, ' : ''}${p.ending}`)).toEqual(['paper-out', 'rest, cut']);
    expect(emulator.printed.some((p) => p.ending === 'cut' && !p.continued && p.text.includes(first.number))).toBe(false);
    expect(jobs?.jobs.find((j) => j.label === first.number)).toMatchObject({ state: 'cancelled', attempts: 1 });
    expect(jobs?.jobs.some((j) => j.label === second.number)).toBe(false);
  });

  it('shows the printer offline when its TCP port goes away, and back when it returns', async () => {
    await emulator.close();
    await waitFor(() => (printer?.online === false ? true : undefined), 10_000);
    expect(printer?.reason).toBe('offline');
    emulator = new PrinterEmulator({ encoding: 'big5' });
    await emulator.listenTcp(port);
    await waitFor(() => (printer?.online === true ? true : undefined), 10_000);
    const ticket = await issue('claims');
    expect((await post(`/api/print/ticket/${ticket.id}`, { waitMs: 5000 }, kiosk)).body).toMatchObject({ printed: true });
  });

  it('refuses bad requests with clear codes and queues nothing', async () => {
    const jobCount = async () => ((await (await get('/api/print/jobs', desk)).json()) as { jobs: unknown[] }).jobs.length;
    const count = await jobCount();
    expect((await post('/api/print/ticket/not-a-ticket', {}, kiosk)).status).toBe(400);
    const ticket = await issue();
    expect((await post(`/api/print/ticket/${ticket.id}`, { waitMs: -1 }, kiosk)).status).toBe(400);
    expect((await post(`/api/print/ticket/${ticket.id}`, { colour: 'red' }, kiosk)).status).toBe(400);
    const unknown = await post(`/api/print/ticket/${ticket.id}`, { printer: 'nope' }, kiosk);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('unknown-printer');
    expect((await post('/api/print/ticket/6f1c1a57-8d1f-4a53-9a8e-5d7d0c6f6d11', {}, kiosk)).body.error?.code).toBe('ticket-not-found');
    expect((await post('/api/print/jobs/6f1c1a57-8d1f-4a53-9a8e-5d7d0c6f6d11/reprint', {}, desk)).status).toBe(404);
    expect((await get('/api/print/jobs/x/preview.svg', desk)).status).toBe(404);
    // Reprints and test pages are the desk's: not a kiosk's, not anybody's.
    expect((await post('/api/print/printers/printer-kiosk/test', {}, kiosk)).status).toBe(403);
    expect((await post('/api/print/printers/printer-kiosk/test', {}, {})).status).toBe(401);
    expect((await fetch(`${gw.httpUrl}/t/not-a-ticket`)).status).toBe(404);
    expect(await jobCount()).toBe(count);
  });
});
