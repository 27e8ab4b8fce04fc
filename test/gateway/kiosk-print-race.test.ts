import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrintJobSummary } from '@forecourt/gateway/protocol';
import { PrinterEmulator, type PrintedPage } from '../../gateway/src/tools/printer-emulator/printer-emulator.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/process.js';
import { command } from '../support/queue-api.js';
import { bearer, deviceToken, staffToken } from '../support/identities.js';

// The kiosk waits a while for its ticket to print, then stops waiting. What it is told then must
// be true, and no ticket may come out later for nobody: a job the printer does not have is
// cancelled; a job the printer has is "printing" (it will come out); a job torn by the paper
// running out is cancelled and its rest cleared. A slow printer (8 lines/s: about 4 s a ticket)
// makes each case happen on purpose.

let emulator: PrinterEmulator;
let gw: TestGateway;
let kiosk: Record<string, string>;
let desk: Record<string, string>;

interface PrintAnswer {
  status: number;
  body: { job?: { id: string; state: string }; printed?: boolean; printing?: boolean; error?: { code: string; reason?: string } };
}

async function takeAndPrint(waitMs: number): Promise<{ number: string; answer: PrintAnswer }> {
  const issued = await command(gw.httpUrl, { action: 'issue', service: 'repair' }, kiosk);
  const ticket = issued.body.ticket!;
  const res = await fetch(`${gw.httpUrl}/api/print/ticket/${ticket.id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...kiosk }, body: JSON.stringify({ waitMs }) });
  return { number: ticket.number, answer: { status: res.status, body: (await res.json()) as PrintAnswer['body'] } };
}

async function jobOf(label: string): Promise<PrintJobSummary | undefined> {
  const { jobs } = (await (await fetch(`${gw.httpUrl}/api/print/jobs`, { headers: desk })).json()) as { jobs: PrintJobSummary[] };
  return jobs.find((j) => j.label === label);
}

const numberOf = (p: PrintedPage) => /^B\d{3}$/m.exec(p.text)?.[0];
/** Waits until the printer has nothing left and the gateway has no job waiting. */
async function settled(): Promise<void> {
  await waitFor(async () => {
    const { jobs } = (await (await fetch(`${gw.httpUrl}/api/print/jobs`, { headers: desk })).json()) as { jobs: PrintJobSummary[] };
    return emulator.idle && jobs.every((j) => j.state !== 'queued') ? true : undefined;
  }, 20_000);
}

beforeAll(async () => {
  emulator = new PrinterEmulator({ encoding: 'gb18030', linesPerSecond: 8 });
  const port = await emulator.listenTcp(0);
  gw = await startTestGateway({
    configure: (config) => {
      config.devices.printers.push({ id: 'printer-kiosk', transport: { type: 'tcp', host: '127.0.0.1', port }, profile: { encoding: 'gb18030', width: 80, qr: 'gs-k', confirm: 'gs-h', clearBuffer: true } });
      config.devices.kioskPrinter = 'printer-kiosk';
    },
  });
  kiosk = bearer(deviceToken(gw.gateway, 'kiosk-1', 'kiosk', 'kiosk-1'));
  desk = bearer(staffToken(gw.gateway, 'receptionist'));
  await waitFor(async () => ((await (await fetch(`${gw.httpUrl}/api/print/printers`, { headers: desk })).json()) as { printers: { condition: { health: string } }[] }).printers[0]?.condition.health === 'ok' ? true : undefined);
});

afterAll(async () => {
  await gw?.dispose();
  await emulator?.close();
});

describe('the kiosk stops waiting for its ticket', () => {
  it('told "printing" when the printer has it (it comes out once, later); told "not printed" when it had not reached the printer (it never comes out)', async () => {
    const first = await takeAndPrint(1000);
    expect(first.answer.status).toBe(200);
    expect(first.answer.body).toMatchObject({ printed: false, printing: true, job: { state: 'queued' } });

    // The second kiosk ticket waits behind the first, which takes seconds to print.
    const second = await takeAndPrint(1000);
    expect(second.answer.status).toBe(503);
    expect(second.answer.body.error).toMatchObject({ code: 'not-printed' });

    await settled();
    expect(emulator.printed.map((p) => `${numberOf(p)} ${p.ending}`)).toEqual([`${first.number} cut`]);
    expect(await jobOf(first.number)).toMatchObject({ state: 'printed', attempts: 1 });
    expect(await jobOf(second.number)).toMatchObject({ state: 'cancelled', attempts: 0 });
  });

  it('told "out of paper" when the paper runs out in the middle of its ticket; the torn ticket is not finished or reprinted later', async () => {
    const before = emulator.printed.length;
    emulator.setPaper(6);
    const torn = await takeAndPrint(4000);
    expect(torn.answer.status).toBe(503);
    expect(torn.answer.body.error).toMatchObject({ code: 'not-printed', reason: 'paper-out' });
    expect(await jobOf(torn.number)).toMatchObject({ state: 'cancelled', attempts: 1 });

    emulator.setPaper(Infinity);
    await waitFor(async () => ((await (await fetch(`${gw.httpUrl}/api/print/printers`, { headers: desk })).json()) as { printers: { condition: { health: string } }[] }).printers[0]?.condition.health === 'ok' ? true : undefined, 10_000);
    // The next ticket prints; the torn one's top is all there ever was of it.
    const next = await takeAndPrint(10_000);
    expect(next.answer.body).toMatchObject({ printed: true });
    await settled();
    expect(emulator.printed.slice(before).map((p) => p.ending)).toEqual(['paper-out', 'cut']);
    expect(numberOf(emulator.printed.at(-1)!)).toBe(next.number);
  });
});
