import { CLEAR_BUFFER, DLE, EOT } from '../../adapters/printer/commands.js';

export type RealTimeCommand = { kind: 'status'; query: number } | { kind: 'clear-buffer' };

/**
 * Finds the real-time commands in the bytes as they arrive, before they wait in the buffer:
 * DLE EOT n (n = 1–4) and DLE DC4 fn=8. Like a printer it looks at the raw bytes, not at where
 * commands begin — Epson's and Citizen's manuals warn that image data holding these bytes
 * triggers them.
 */
export class RealTimeScanner {
  private seen: number[] = [];

  /** Feeds one byte; returns the command it completes, if any. */
  push(byte: number): RealTimeCommand | undefined {
    this.seen.push(byte);
    const match = this.match();
    if (match === 'prefix') return undefined;
    this.seen = [];
    if (match) return match;
    if (byte === DLE) this.seen = [byte];
    return undefined;
  }

  private match(): RealTimeCommand | 'prefix' | undefined {
    const [first, second, third] = this.seen;
    if (first !== DLE) return undefined;
    if (second === undefined) return 'prefix';
    if (second === EOT) {
      if (third === undefined) return 'prefix';
      return third >= 1 && third <= 4 ? { kind: 'status', query: third } : undefined;
    }
    if (!this.seen.every((b, i) => CLEAR_BUFFER[i] === b)) return undefined;
    return this.seen.length === CLEAR_BUFFER.length ? { kind: 'clear-buffer' } : 'prefix';
  }
}
