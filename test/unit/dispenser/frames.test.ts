import { describe, expect, it } from 'vitest';
import { crc16 } from '../../../gateway/src/adapters/dispenser/crc.js';
import { encodeFrame, type Frame } from '../../../gateway/src/adapters/dispenser/frame.js';
import { BadPayload, decode, encode } from '../../../gateway/src/adapters/dispenser/messages.js';
import { FrameParser } from '../../../gateway/src/adapters/dispenser/parser.js';
import { MAX_PAYLOAD, MSG } from '../../../gateway/src/adapters/dispenser/protocol.js';

/** A deterministic byte source, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s & 0xff;
  };
}

function collect(interByteMs = 50): { parser: FrameParser; frames: Frame[] } {
  const frames: Frame[] = [];
  return { parser: new FrameParser((f) => frames.push(f), undefined, interByteMs), frames };
}

const button = (seq: number, b: number) => encodeFrame({ version: 1, seq, type: MSG.BUTTON, payload: encode.button(b) });

describe('dispenser frames', () => {
  it('uses CRC-16/CCITT-FALSE (check value 0x29B1 for "123456789")', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x29b1);
  });

  it('parses frames split at every byte boundary and glued together', () => {
    const bytes = Buffer.concat([button(1, 1), button(2, 3), encodeFrame({ version: 1, seq: 3, type: MSG.HEARTBEAT, payload: encode.condition('paper-low') })]);
    const { parser, frames } = collect();
    for (const byte of bytes) parser.push(Uint8Array.of(byte), 0);
    expect(frames.map((f) => [f.seq, f.type, decodeSafe(f)])).toEqual([
      [1, MSG.BUTTON, 1],
      [2, MSG.BUTTON, 3],
      [3, MSG.HEARTBEAT, 'paper-low'],
    ]);
    expect(parser.stats).toEqual({ frames: 3, noiseBytes: 0, badChecksum: 0, oversized: 0, truncated: 0 });
  });

  it('rejects and counts random bytes, bad checksums, oversized and truncated frames, and still finds the good frames between them', () => {
    const next = prng(7);
    const noise = Buffer.from(Array.from({ length: 4000 }, next));
    const badCrc = button(10, 2);
    badCrc[badCrc.length - 2]! ^= 0x5a;
    const oversized = Buffer.from([0x02, 1, 11, MSG.BUTTON, MAX_PAYLOAD + 1, ...Array(MAX_PAYLOAD + 4).fill(0x41)]);
    const { parser, frames } = collect();
    parser.push(noise, 0);
    parser.push(button(20, 1), 0);
    parser.push(badCrc, 0);
    parser.push(button(21, 2), 0);
    parser.push(oversized, 0);
    parser.push(button(22, 3), 0);
    parser.push(button(23, 4).subarray(0, 6), 0); // the cable goes quiet mid-frame
    parser.tick(1000);
    parser.push(button(24, 5), 1001);
    const good = frames.filter((f) => f.type === MSG.BUTTON && f.seq >= 20).map((f) => f.seq);
    expect(good).toEqual([20, 21, 22, 24]);
    expect(parser.stats.badChecksum).toBeGreaterThan(0);
    expect(parser.stats.oversized).toBeGreaterThan(0);
    expect(parser.stats.truncated).toBe(1);
    expect(parser.stats.noiseBytes).toBeGreaterThan(0);
  });

  it('never throws and never accepts a frame from 200 kB of random bytes', () => {
    const next = prng(12345);
    const { parser, frames } = collect();
    for (let i = 0; i < 200; i++) parser.push(Buffer.from(Array.from({ length: 1000 }, next)), i);
    parser.tick(10_000);
    // A random frame passes the length, ETX and CRC checks with odds of about 1 in 16 million.
    expect(frames).toHaveLength(0);
  });

  it('refuses payloads that pass the CRC but make no sense', () => {
    expect(() => decode.button(Buffer.from([0]))).toThrow(BadPayload);
    expect(() => decode.button(Buffer.from([17]))).toThrow(BadPayload);
    expect(() => decode.button(Buffer.alloc(0))).toThrow(BadPayload);
    expect(() => decode.condition(Buffer.from([99]))).toThrow(BadPayload);
    expect(() => decode.hello(Buffer.from([2, 1, 5]))).toThrow(BadPayload);
    expect(() => decode.counts(Buffer.from([3, 1, 0]))).toThrow(BadPayload);
    expect(() => encodeFrame({ version: 1, seq: 1, type: MSG.COUNTS, payload: Buffer.alloc(MAX_PAYLOAD + 1) })).toThrow(RangeError);
  });

  it('round-trips every message payload', () => {
    const ticket = { button: 2, result: 'issued' as const, number: 'B017', peopleAhead: 4, minutes: 18 };
    expect(decode.ticket(encode.ticket(ticket))).toEqual(ticket);
    const counts = [{ button: 1, waiting: 3, minutes: 12 }, { button: 5, waiting: 0, minutes: 0 }];
    expect(decode.counts(encode.counts(counts))).toEqual(counts);
    const hello = { minVersion: 1, maxVersion: 2, buttons: 5, firmware: 'QM-200 v3.1' };
    expect(decode.hello(encode.hello(hello))).toEqual(hello);
    expect(decode.nak(encode.nak(9, 'unsupported-version'))).toEqual({ seq: 9, reason: 'unsupported-version' });
  });

  it('sends a ticket number too long for the four-character field as none, never cut to another number', () => {
    for (const number of ['A1000', 'A0001']) {
      expect(decode.ticket(encode.ticket({ button: 1, result: 'issued', number, peopleAhead: 0, minutes: 0 }))).toMatchObject({ result: 'issued', number: '' });
    }
  });
});

function decodeSafe(frame: Frame): unknown {
  return frame.type === MSG.BUTTON ? decode.button(frame.payload) : decode.condition(frame.payload);
}
