import { createLogger } from '@forecourt/gateway';
import { describe, expect, it } from 'vitest';
import { DispenserAgent, type DispenserState } from '../../../gateway/src/adapters/dispenser/agent.js';
import { encodeFrame, type Frame } from '../../../gateway/src/adapters/dispenser/frame.js';
import { decode, encode } from '../../../gateway/src/adapters/dispenser/messages.js';
import { FrameParser } from '../../../gateway/src/adapters/dispenser/parser.js';
import { MSG } from '../../../gateway/src/adapters/dispenser/protocol.js';
import type { DeviceLink } from '../../../gateway/src/adapters/printer/link.js';

/** The dispenser's end of an in-memory line: what the agent writes is parsed into `received`. */
class MemoryLine implements DeviceLink {
  readonly description = 'memory';
  readonly bytesPerSecond = undefined;
  isOpen = false;
  readonly received: Frame[] = [];
  private readonly parser = new FrameParser((f) => this.received.push(f));
  private data: ((chunk: Buffer) => void)[] = [];

  async open(): Promise<void> {
    this.isOpen = true;
  }
  write(bytes: Uint8Array): void {
    this.parser.push(bytes);
  }
  async discardOutput(): Promise<void> {}
  onData(listener: (chunk: Buffer) => void): void {
    this.data.push(listener);
  }
  onClose(): void {}
  async close(): Promise<void> {
    this.isOpen = false;
  }
  /** The dispenser sends a frame. */
  send(seq: number, type: number, payload: Buffer, version = 1): void {
    const bytes = encodeFrame({ version, seq, type, payload });
    this.data.forEach((l) => l(bytes));
  }
  of(type: number): Frame[] {
    return this.received.filter((f) => f.type === type);
  }
}

const BUTTONS: Record<number, string> = { 1: 'maintenance', 2: 'repair' };

function setup(): { line: MemoryLine; agent: DispenserAgent; taken: string[]; states: DispenserState[] } {
  const line = new MemoryLine();
  const taken: string[] = [];
  const states: DispenserState[] = [];
  const agent = new DispenserAgent({
    config: { id: 'dispenser-1' },
    link: line,
    log: createLogger('silent', false),
    takeTicket: async (button) => {
      const service = BUTTONS[button];
      if (!service) return { result: 'unknown-button', number: '', peopleAhead: 0, minutes: 0 };
      taken.push(service);
      return { result: 'issued', number: `A00${taken.length}`, peopleAhead: taken.length - 1, minutes: 5 };
    },
    counts: () => [
      { button: 1, waiting: 3, minutes: 12 },
      { button: 2, waiting: 0, minutes: 0 },
    ],
    onState: (s) => states.push(s),
    onReject: () => undefined,
  });
  return { line, agent, taken, states };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('dispenser agent', () => {
  it('issues one ticket per press however often the press frame is resent', async () => {
    const { line, agent, taken } = setup();
    agent.start();
    await settle();
    line.send(1, MSG.HELLO, encode.hello({ minVersion: 1, maxVersion: 3, buttons: 2, firmware: 'test' }));
    line.send(2, MSG.BUTTON, encode.button(1));
    line.send(2, MSG.BUTTON, encode.button(1)); // our ACK was lost: the dispenser sends it again
    line.send(3, MSG.BUTTON, encode.button(2));
    await settle();
    expect(taken).toEqual(['maintenance', 'repair']);
    expect(line.of(MSG.HELLO_ACK).map((f) => decode.helloAck(f.payload))).toEqual([1]);
    expect(line.of(MSG.ACK).map((f) => decode.ack(f.payload))).toEqual([1, 2, 2, 3]);
    const tickets = line.of(MSG.TICKET).map((f) => decode.ticket(f.payload));
    expect(tickets.map((t) => t.number)).toEqual(['A001', 'A001', 'A002']);
    expect(decode.counts(line.of(MSG.COUNTS)[0]!.payload)).toEqual([
      { button: 1, waiting: 3, minutes: 12 },
      { button: 2, waiting: 0, minutes: 0 },
    ]);
    await agent.stop();
  });

  it('answers an unknown button without a ticket, and NAKs a nonsense payload', async () => {
    const { line, agent, taken } = setup();
    agent.start();
    await settle();
    line.send(1, MSG.BUTTON, encode.button(7));
    line.send(2, MSG.BUTTON, Buffer.from([0]));
    line.send(3, 0x42, Buffer.alloc(0));
    await settle();
    expect(taken).toEqual([]);
    expect(decode.ticket(line.of(MSG.TICKET)[0]!.payload)).toMatchObject({ button: 7, result: 'unknown-button' });
    expect(line.of(MSG.NAK).map((f) => decode.nak(f.payload))).toEqual([
      { seq: 2, reason: 'bad-payload' },
      { seq: 3, reason: 'unknown-type' },
    ]);
    await agent.stop();
  });

  it('refuses a dispenser that speaks no common version, and reports its condition', async () => {
    const { line, agent, states } = setup();
    agent.start();
    await settle();
    line.send(1, MSG.HELLO, encode.hello({ minVersion: 2, maxVersion: 4, buttons: 2, firmware: 'future' }));
    await settle();
    expect(line.of(MSG.HELLO_ACK).map((f) => decode.helloAck(f.payload))).toEqual([0]);
    expect(states.at(-1)).toEqual({ online: true, health: 'error', reason: 'version-mismatch' });
    line.send(2, MSG.HELLO, encode.hello({ minVersion: 1, maxVersion: 1, buttons: 2, firmware: 'old' }));
    line.send(3, MSG.STATUS, encode.condition('paper-low'));
    await settle();
    expect(states.at(-1)).toEqual({ online: true, health: 'warning', reason: 'paper-low' });
    line.send(4, MSG.BUTTON, encode.button(1), 9);
    await settle();
    expect(line.of(MSG.NAK).map((f) => decode.nak(f.payload))).toContainEqual({ seq: 4, reason: 'unsupported-version' });
    await agent.stop();
  });
});
