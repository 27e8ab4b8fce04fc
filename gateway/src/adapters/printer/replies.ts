import { BLOCK_ANSWER, BUFFER_CLEARED_ANSWER, PROCESS_ID_ANSWER } from './commands.js';
import { isPaperSensorByte, isStatusByte } from './status.js';

/** One answer from a printer, or a byte that fits none (line noise, a confused printer). */
export type PrinterReply =
  | { kind: 'status'; byte: number }
  | { kind: 'paper-sensor'; byte: number }
  | { kind: 'process-id'; id: string }
  | { kind: 'buffer-cleared' }
  | { kind: 'garbage'; bytes: number[] };

/**
 * Splits what a printer sends back into answers. The block answers start with 37h and an
 * identifier (22h: process ID, four printable bytes and NUL; 25h: buffer cleared, NUL); any other
 * byte is a DLE EOT answer (bit 4 set, bits 0 and 7 clear) or a GS r 1 answer (upper four bits
 * clear). Streaming: an answer split across chunks waits for its rest.
 */
export class ReplyParser {
  private block: number[] = [];

  push(chunk: Uint8Array): PrinterReply[] {
    const replies: PrinterReply[] = [];
    for (const byte of chunk) this.byte(byte, replies);
    return replies;
  }

  private byte(byte: number, replies: PrinterReply[]): void {
    if (this.block.length > 0) {
      const reply = this.continueBlock(byte);
      if (reply === 'more') return;
      if (reply !== 'broken') {
        replies.push(reply);
        return;
      }
      // Not a block after all: the bytes so far were noise, and this byte starts afresh.
      replies.push({ kind: 'garbage', bytes: this.block });
      this.block = [];
    }
    if (byte === BLOCK_ANSWER) this.block = [byte];
    else if (isStatusByte(byte)) replies.push({ kind: 'status', byte });
    else if (isPaperSensorByte(byte)) replies.push({ kind: 'paper-sensor', byte });
    else replies.push({ kind: 'garbage', bytes: [byte] });
  }

  private continueBlock(byte: number): PrinterReply | 'more' | 'broken' {
    const block = [...this.block, byte];
    const [, identifier] = block;
    const done = (reply: PrinterReply): PrinterReply => {
      this.block = [];
      return reply;
    };
    if (identifier === PROCESS_ID_ANSWER) {
      if (block.length < 7) {
        if (block.length > 2 && (byte < 32 || byte > 126)) return 'broken';
        this.block = block;
        return 'more';
      }
      return byte === 0 ? done({ kind: 'process-id', id: Buffer.from(block.slice(2, 6)).toString('latin1') }) : 'broken';
    }
    if (identifier === BUFFER_CLEARED_ANSWER) {
      if (block.length < 3) {
        this.block = block;
        return 'more';
      }
      return byte === 0 ? done({ kind: 'buffer-cleared' }) : 'broken';
    }
    return 'broken';
  }
}
