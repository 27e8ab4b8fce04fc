import { z } from 'zod';
import { DISPENSER_CONDITIONS, MSG, NAK_REASONS, TICKET_RESULTS, type DispenserCondition, type NakReason, type TicketResult } from './protocol.js';

// Payloads of each message type: binary on the wire, checked with a schema once decoded, so a
// frame with a good CRC but nonsense inside is refused (NAK bad-payload) like any bad input.

const Byte = z.number().int().min(0).max(255);
const U16 = z.number().int().min(0).max(65535);
const Button = z.number().int().min(1).max(16);
/** Width of TICKET's `number` field on the wire. */
const TICKET_NUMBER_BYTES = 4;

export const Hello = z.object({
  minVersion: Byte.min(1),
  maxVersion: Byte.min(1),
  buttons: z.number().int().min(1).max(16),
  firmware: z.string().regex(/^[\x20-\x7e]{0,32}$/),
}).refine((h) => h.minVersion <= h.maxVersion, 'minVersion above maxVersion');
export type Hello = z.infer<typeof Hello>;

export const ButtonPress = z.object({ button: Button });
export const ConditionReport = z.object({ condition: z.enum(DISPENSER_CONDITIONS) });

export const TicketAnswer = z.object({
  button: Button,
  result: z.enum(TICKET_RESULTS),
  number: z.string().regex(/^([A-Z]\d{3})?$/),
  peopleAhead: U16,
  minutes: U16,
});
export type TicketAnswer = z.infer<typeof TicketAnswer>;

export const WaitingCounts = z.array(z.object({ button: Button, waiting: U16, minutes: U16 })).max(16);
export type WaitingCounts = z.infer<typeof WaitingCounts>;

export class BadPayload extends Error {}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new BadPayload(result.error.issues[0]?.message ?? 'invalid payload');
  return result.data;
}

function need(payload: Buffer, bytes: number): void {
  if (payload.length < bytes) throw new BadPayload(`payload has ${payload.length} bytes, needs ${bytes}`);
}

export const decode = {
  hello(p: Buffer): Hello {
    need(p, 3);
    return parse(Hello, { minVersion: p[0], maxVersion: p[1], buttons: p[2], firmware: p.subarray(3).toString('latin1') });
  },
  button(p: Buffer): number {
    need(p, 1);
    return parse(ButtonPress, { button: p[0] }).button;
  },
  condition(p: Buffer): DispenserCondition {
    need(p, 1);
    return parse(ConditionReport, { condition: DISPENSER_CONDITIONS[p[0]!] }).condition;
  },
  ack(p: Buffer): number {
    need(p, 1);
    return p[0]!;
  },
  nak(p: Buffer): { seq: number; reason: NakReason | 'unknown' } {
    need(p, 2);
    const reason = (Object.entries(NAK_REASONS).find(([, code]) => code === p[1])?.[0] ?? 'unknown') as NakReason | 'unknown';
    return { seq: p[0]!, reason };
  },
  helloAck(p: Buffer): number {
    need(p, 1);
    return p[0]!;
  },
  ticket(p: Buffer): TicketAnswer {
    need(p, 10);
    const number = p.subarray(2, 2 + TICKET_NUMBER_BYTES).toString('latin1').replace(/\0+$/, '');
    return parse(TicketAnswer, { button: p[0], result: TICKET_RESULTS[p[1]!], number, peopleAhead: p.readUInt16BE(6), minutes: p.readUInt16BE(8) });
  },
  counts(p: Buffer): WaitingCounts {
    need(p, 1);
    const n = p[0]!;
    need(p, 1 + n * 5);
    return parse(WaitingCounts, Array.from({ length: n }, (_, i) => ({ button: p[1 + i * 5], waiting: p.readUInt16BE(2 + i * 5), minutes: p.readUInt16BE(4 + i * 5) })));
  },
};

export const encode = {
  hello(h: Hello): Buffer {
    return Buffer.concat([Buffer.from([h.minVersion, h.maxVersion, h.buttons]), Buffer.from(h.firmware, 'latin1')]);
  },
  button(button: number): Buffer {
    return Buffer.from([button]);
  },
  condition(condition: DispenserCondition): Buffer {
    return Buffer.from([DISPENSER_CONDITIONS.indexOf(condition)]);
  },
  ack(seq: number): Buffer {
    return Buffer.from([seq]);
  },
  nak(seq: number, reason: NakReason): Buffer {
    return Buffer.from([seq, NAK_REASONS[reason]]);
  },
  helloAck(version: number): Buffer {
    return Buffer.from([version]);
  },
  ticket(t: TicketAnswer): Buffer {
    const out = Buffer.alloc(10);
    out[0] = t.button;
    out[1] = TICKET_RESULTS.indexOf(t.result as TicketResult);
    // The field holds four characters. A longer number (four-digit numbering, or a day past 999)
    // goes as none rather than cut to a wrong one: the printed ticket carries it.
    if (t.number.length <= TICKET_NUMBER_BYTES) out.write(t.number.padEnd(TICKET_NUMBER_BYTES, '\0'), 2, TICKET_NUMBER_BYTES, 'latin1');
    out.writeUInt16BE(Math.min(65535, t.peopleAhead), 6);
    out.writeUInt16BE(Math.min(65535, t.minutes), 8);
    return out;
  },
  counts(counts: WaitingCounts): Buffer {
    const out = Buffer.alloc(1 + counts.length * 5);
    out[0] = counts.length;
    counts.forEach((c, i) => {
      out[1 + i * 5] = c.button;
      out.writeUInt16BE(Math.min(65535, c.waiting), 2 + i * 5);
      out.writeUInt16BE(Math.min(65535, c.minutes), 4 + i * 5);
    });
    return out;
  },
};

/** Message type names, for logs and the simulator's output. */
export const MESSAGE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(MSG).map(([name, code]) => [code, name]));
