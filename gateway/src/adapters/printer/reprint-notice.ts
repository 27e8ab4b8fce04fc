import type { PrinterProfile } from '../../config/devices.js';
import { EscPosBuilder } from './builder.js';
import { ESC } from './commands.js';
import { WORDS, printLanguages } from './layout-text.js';

/**
 * The line at the top of a job printed again after the printer stopped in the middle of it
 * (paper out, cover open, offline): 重印 / REPRINT, large and bold, so the customer and the
 * staff can tell it from the torn first try. It leaves the printer in its initial modes.
 */
export function reprintNotice(profile: PrinterProfile): Buffer {
  const p = new EscPosBuilder(profile).align('center').bold(true).size(2);
  // English comes last on every printer, so double-byte mode is off again after it.
  for (const lang of printLanguages(profile.encoding)) p.line(WORDS.reprint[lang]);
  return p.size(1).bold(false).align('left').bytes();
}

/** The job with the notice put right after its opening ESC @ (which would reset the notice's modes), or in front. */
export function withReprintNotice(job: Uint8Array, notice: Uint8Array): Buffer {
  const at = job[0] === ESC && job[1] === 0x40 ? 2 : 0;
  return Buffer.concat([job.subarray(0, at), notice, job.subarray(at)]);
}
