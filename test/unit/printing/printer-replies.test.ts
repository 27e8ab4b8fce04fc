import { describe, expect, it } from 'vitest';
import { CLEAR_BUFFER, processIdRequest } from '../../../gateway/src/adapters/printer/commands.js';
import { EscPosDecoder } from '../../../gateway/src/adapters/printer/decoder.js';
import { splitAtCommands } from '../../../gateway/src/adapters/printer/job-pieces.js';
import { testPrintLayout, ticketLayout } from '../../../gateway/src/adapters/printer/layouts.js';
import { ReplyParser } from '../../../gateway/src/adapters/printer/replies.js';
import { reprintNotice, withReprintNotice } from '../../../gateway/src/adapters/printer/reprint-notice.js';
import type { PrinterProfile } from '../../../gateway/src/config/devices.js';
import { TEST_TICKET } from '../../support/printing.js';

// What the printer agent reads back from a printer, how it cuts a job for the printer's buffer,
// and the reprint's mark.


const pages = (profile: PrinterProfile, bytes: Uint8Array) => new EscPosDecoder(profile.encoding).push(bytes).flatMap((e) => (e.type === 'page' ? [e.page] : []));

describe('printer replies', () => {
  it('tells real-time status, paper sensor, process ID and buffer-cleared answers apart, split anywhere', () => {
    const bytes = Uint8Array.of(0x12, 0x37, 0x22, 0x32, 0x52, 0x61, 0x7a, 0x00, 0x03, 0xc1, 0x37, 0x25, 0x00, 0x00);
    const parser = new ReplyParser();
    const replies = [...bytes].flatMap((b) => parser.push(Uint8Array.of(b)));
    expect(replies).toEqual([
      { kind: 'status', byte: 0x12 },
      // 0x32 and 0x52 would pass for status answers: inside the block they are id bytes.
      { kind: 'process-id', id: '2Raz' },
      { kind: 'paper-sensor', byte: 0x03 },
      { kind: 'garbage', bytes: [0xc1] },
      { kind: 'buffer-cleared' },
      { kind: 'paper-sensor', byte: 0x00 },
    ]);
  });

  it('calls a broken block garbage and reads on from the byte that broke it', () => {
    const replies = new ReplyParser().push(Uint8Array.of(0x37, 0x99, 0x37, 0x22, 0x41, 0x00, 0x18, 0x37, 0x25, 0x01, 0x1a));
    expect(replies).toEqual([
      { kind: 'garbage', bytes: [0x37] },
      { kind: 'garbage', bytes: [0x99] },
      { kind: 'garbage', bytes: [0x37, 0x22, 0x41] },
      { kind: 'paper-sensor', byte: 0x00 },
      { kind: 'garbage', bytes: [0x18] },
      { kind: 'garbage', bytes: [0x37, 0x25] },
      { kind: 'paper-sensor', byte: 0x01 },
      { kind: 'status', byte: 0x1a },
    ]);
  });
});

describe('jobs cut for the printer\'s buffer', () => {
  const profile: PrinterProfile = { encoding: 'gb18030', width: 80, qr: 'raster' };

  it('cuts only where a command ends, each piece within the size unless one command is larger', () => {
    const job = testPrintLayout(profile, TEST_TICKET.storeName, TEST_TICKET.issuedAt, 'Asia/Shanghai');
    const pieces = splitAtCommands(job, 'gb18030', 300);
    expect(Buffer.concat(pieces)).toEqual(job);
    const ends = new Set(EscPosDecoder.commandEnds(job, 'gb18030'));
    let offset = 0;
    for (const piece of pieces.slice(0, -1)) {
      offset += piece.length;
      expect(ends.has(offset)).toBe(true);
    }
    // The raster QR code is one command of more than 300 bytes: it travels whole, alone or at a piece's end.
    const oversized = pieces.filter((p) => p.length > 300);
    expect(oversized.length).toBeGreaterThan(0);
    // A request put between the pieces changes nothing that prints.
    const withRequests = Buffer.concat(pieces.flatMap((p, i) => [p, processIdRequest(`p${String(i).padStart(3, '0')}`)]));
    expect(pages(profile, withRequests)).toEqual(pages(profile, job));
  });

  it('leaves a job that fits as it is', () => {
    const job = ticketLayout(profile, TEST_TICKET);
    expect(splitAtCommands(job, 'gb18030', job.length)).toEqual([job]);
  });
});

describe('reprint notice', () => {
  it('puts 重印 / REPRINT, large, at the top of the job, after its ESC @, and leaves the rest as it was', () => {
    for (const [encoding, chinese] of [['gb18030', '重印'], ['big5', '重印']] as const) {
      const profile: PrinterProfile = { encoding, width: 58, qr: 'gs-k' };
      const job = ticketLayout(profile, TEST_TICKET);
      const marked = withReprintNotice(job, reprintNotice(profile));
      const [page] = pages(profile, marked);
      const [original] = pages(profile, job);
      expect(page!.blocks.slice(0, 2)).toEqual([
        { kind: 'text', align: 'center', runs: [{ text: chinese, width: 2, height: 2, bold: true, doubleByte: true }] },
        { kind: 'text', align: 'center', runs: [{ text: 'REPRINT', width: 2, height: 2, bold: true, doubleByte: false }] },
      ]);
      expect(page!.blocks.slice(2)).toEqual(original!.blocks);
    }
    const ascii: PrinterProfile = { encoding: 'ascii', width: 80, qr: 'gs-k' };
    expect(pages(ascii, withReprintNotice(ticketLayout(ascii, TEST_TICKET), reprintNotice(ascii)))[0]!.blocks[0]).toMatchObject({ runs: [{ text: 'REPRINT' }] });
  });

  it('a buffer clear in a job is a command of its own', () => {
    expect(EscPosDecoder.commandEnds(Buffer.concat([Buffer.from('AB'), CLEAR_BUFFER]), 'gb18030')).toEqual([12]);
  });
});
