import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLEAR_BUFFER, PAPER_STATUS_REQUEST, STATUS_PAPER, processIdRequest } from '../../../gateway/src/adapters/printer/commands.js';
import { ticketLayout } from '../../../gateway/src/adapters/printer/layouts.js';
import { ReplyParser, type PrinterReply } from '../../../gateway/src/adapters/printer/replies.js';
import { parseStatus } from '../../../gateway/src/adapters/printer/status.js';
import type { PrinterProfile } from '../../../gateway/src/config/devices.js';
import { PrinterEmulator, type PrintedPage, type PrinterEmulatorOptions } from '../../../gateway/src/tools/printer-emulator/printer-emulator.js';
import { RealTimeScanner } from '../../../gateway/src/tools/printer-emulator/real-time-scanner.js';
import { TEST_TICKET } from '../../support/printing.js';

// The emulator's printer semantics, on a virtual clock: what waits in the receive buffer, what is
// answered at once (real-time) and what only once everything before it has printed (in order).

const PROFILE: PrinterProfile = { encoding: 'gb18030', width: 80, qr: 'gs-k' };
const ticket = (number: string) => ticketLayout(PROFILE, { ...TEST_TICKET, number });
const STATUS_4 = Uint8Array.of(0x10, 0x04, STATUS_PAPER);

/** A printer and a host that reads its answers. */
function printer(options: Partial<PrinterEmulatorOptions> = {}): { emulator: PrinterEmulator; replies: PrinterReply[]; send: (bytes: Uint8Array) => number } {
  const emulator = new PrinterEmulator({ encoding: 'gb18030', ...options });
  const parser = new ReplyParser();
  const replies: PrinterReply[] = [];
  const host = { reply: (bytes: Uint8Array) => replies.push(...parser.push(bytes)) };
  return { emulator, replies, send: (bytes) => emulator.receive(bytes, host) };
}

/** The paper-sensor answer of DLE EOT 4, as the host reads it. */
function paperOut(reply: PrinterReply | undefined): boolean {
  if (reply?.kind !== 'status') throw new Error(`not a status answer: ${JSON.stringify(reply)}`);
  return parseStatus(0x12, 0x12, reply.byte).paperOut;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('printer emulator', () => {
  it('answers DLE EOT the moment it arrives, ahead of the ticket still waiting to print', () => {
    const { emulator, replies, send } = printer();
    send(Buffer.concat([ticket('A001'), STATUS_4]));
    expect(replies).toEqual([{ kind: 'status', byte: expect.any(Number) }]);
    expect(paperOut(replies[0])).toBe(false);
    expect(emulator.printed).toHaveLength(0);
    expect(emulator.idle).toBe(false);
    vi.runAllTimers();
    expect(emulator.printed.map((p) => p.ending)).toEqual(['cut']);
  });

  it('answers GS ( H and GS r 1 only once everything before them has printed, in stream order', () => {
    const { emulator, replies, send } = printer();
    const order: string[] = [];
    emulator.on('page', (p: PrintedPage) => order.push(`page ${/A00\d/.exec(p.text)?.[0]}`));
    emulator.on('answered', (a: { request: string; id?: string }) => order.push(`${a.request} ${a.id ?? ''}`.trim()));
    send(Buffer.concat([ticket('A001'), processIdRequest('j001'), ticket('A002'), PAPER_STATUS_REQUEST]));
    expect(replies).toEqual([]);
    vi.runAllTimers();
    expect(order).toEqual(['page A001', 'process-id j001', 'page A002', 'paper-status']);
    expect(replies).toEqual([{ kind: 'process-id', id: 'j001' }, { kind: 'paper-sensor', byte: 0 }]);
    // A ticket is about 33 lines: at 40 lines/s its print time is the paper it took.
    const [first] = emulator.printed;
    expect(first!.printMs).toBeCloseTo((first!.lines / 40) * 1000, 5);
  });

  it('takes no more than its buffer holds; the rest waits with the host until the engine makes room', () => {
    const { emulator, send } = printer({ bufferBytes: 1024 });
    const job = Buffer.concat([ticket('A001'), ticket('A002'), ticket('A003')]);
    expect(job.length).toBeGreaterThan(1024);
    let offset = send(job);
    expect(offset).toBe(1024);
    emulator.on('space', () => (offset += send(job.subarray(offset))));
    vi.runAllTimers();
    expect(offset).toBe(job.length);
    expect(emulator.printed.map((p) => /A00\d/.exec(p.text)?.[0])).toEqual(['A001', 'A002', 'A003']);
    expect(emulator.bufferUse).toEqual({ highWater: 1024, capacity: 1024 });
  });

  it('runs out of paper in the middle of a ticket: stops, tears it off, says so in real time, and prints the rest when paper is loaded', () => {
    const { emulator, replies, send } = printer({ paperLines: 5 });
    send(Buffer.concat([ticket('A001'), processIdRequest('j001')]));
    vi.runAllTimers();
    expect(emulator.printed).toHaveLength(1);
    expect(emulator.printed[0]).toMatchObject({ ending: 'paper-out', continued: false });
    expect(emulator.printed[0]!.lines).toBeLessThanOrEqual(5);
    expect(emulator.printed[0]!.text).toContain('Your number');
    expect(emulator.printed[0]!.text).not.toContain('A001'); // the number, in large type, did not fit
    send(STATUS_4);
    expect(paperOut(replies.at(-1))).toBe(true);
    expect(replies.some((r) => r.kind === 'process-id')).toBe(false);

    emulator.setPaper(Infinity);
    vi.runAllTimers();
    expect(emulator.printed[1]).toMatchObject({ ending: 'cut', continued: true });
    expect(emulator.printed[1]!.text).toContain('A001');
    expect(emulator.printed[0]!.text + '\n' + emulator.printed[1]!.text).toBe(pageOf(ticket('A001')));
    expect(replies.at(-1)).toEqual({ kind: 'process-id', id: 'j001' });
  });

  it('clears its buffers on DLE DC4 fn=8 even while stopped: nothing of the torn job prints later, its request is never answered', () => {
    const { emulator, replies, send } = printer({ paperLines: 10 });
    send(Buffer.concat([ticket('A001'), processIdRequest('j001')]));
    vi.runAllTimers();
    send(CLEAR_BUFFER);
    expect(replies.at(-1)).toEqual({ kind: 'buffer-cleared' });
    emulator.setPaper(Infinity);
    vi.runAllTimers();
    expect(emulator.printed.map((p) => p.ending)).toEqual(['paper-out']);
    expect(replies.some((r) => r.kind === 'process-id')).toBe(false);
    // What comes after the clear prints as usual.
    send(Buffer.concat([ticket('A002'), processIdRequest('j002')]));
    vi.runAllTimers();
    expect(emulator.printed.at(-1)).toMatchObject({ ending: 'cut', continued: false });
    expect(replies.at(-1)).toEqual({ kind: 'process-id', id: 'j002' });
  });

  it('a model without GS ( H or the buffer clear ignores them and prints on', () => {
    const { emulator, replies, send } = printer({ processId: false, clearBuffer: false, paperLines: 10 });
    send(Buffer.concat([ticket('A001'), processIdRequest('j001'), PAPER_STATUS_REQUEST]));
    vi.runAllTimers();
    send(CLEAR_BUFFER);
    expect(replies).toEqual([]);
    emulator.setPaper(Infinity);
    vi.runAllTimers();
    expect(emulator.printed.map((p) => `${p.ending}${p.continued ? '+' : ''}`)).toEqual(['paper-out', 'cut+']);
    expect(replies).toEqual([{ kind: 'paper-sensor', byte: 0 }]);
  });

  it('stops when the cover is opened mid-ticket and prints the rest once it is closed', () => {
    const { emulator, send } = printer();
    send(ticket('A001'));
    vi.advanceTimersByTime(200);
    emulator.setCover(true);
    vi.runAllTimers();
    expect(emulator.printed.map((p) => p.ending)).toEqual(['cover-open']);
    expect(emulator.status.coverOpen).toBe(true);
    emulator.setCover(false);
    vi.runAllTimers();
    expect(emulator.printed.map((p) => `${p.ending}${p.continued ? '+' : ''}`)).toEqual(['cover-open', 'cut+']);
  });

  it('finds real-time commands in the raw bytes, split across chunks, wherever they are', () => {
    const scanner = new RealTimeScanner();
    const found = [...Buffer.from([0x10, 0x10, 0x04]), 0x02, 0x41, ...CLEAR_BUFFER, 0x10, 0x04, 0x07].map((b) => scanner.push(b)).filter(Boolean);
    expect(found).toEqual([{ kind: 'status', query: 2 }, { kind: 'clear-buffer' }]);
  });
});

/** The text of a job printed in one piece. */
function pageOf(job: Uint8Array): string {
  const { emulator, send } = printer();
  send(job);
  vi.runAllTimers();
  return emulator.printed[0]!.text;
}
