import { EscPosDecoder } from './decoder.js';
import type { PrinterEncoding } from './text-encoding.js';

/**
 * Cuts a job into pieces of at most `maxBytes`, each ending where a command ends, so that a
 * request put after a piece is read as a command of its own. A single command longer than
 * `maxBytes` (a large image) stays whole: a printer reads such a command's data as it develops it.
 */
export function splitAtCommands(data: Uint8Array, encoding: PrinterEncoding, maxBytes: number): Uint8Array[] {
  if (data.length <= maxBytes) return [data];
  const ends = EscPosDecoder.commandEnds(data, encoding);
  const pieces: Uint8Array[] = [];
  let start = 0;
  let next = 0; // the first command end after `start`
  while (data.length - start > maxBytes) {
    let end = ends[next] ?? data.length;
    while (next + 1 < ends.length && ends[next + 1]! - start <= maxBytes) end = ends[++next]!;
    next += 1;
    pieces.push(data.subarray(start, end));
    start = end;
  }
  if (start < data.length) pieces.push(data.subarray(start));
  return pieces;
}
