import { z } from 'zod';
import { DeviceId } from '../protocol/index.js';

/**
 * An NFC reader on PC/SC (README "Member cards"). `pcscName` is the reader's name as pcscd reports
 * it (`pcsc_scan` lists them); `station` is the kiosk id (for `kiosk`), the desk id (for `desk`) or
 * the bay (for `bay`) whose screen reacts to its taps.
 */
export const ReaderConfig = z
  .object({
    id: DeviceId,
    pcscName: z.string().min(1).max(200),
    /** `bay`: a bay terminal's reader, for staff cards only (sign-in). */
    role: z.enum(['kiosk', 'desk', 'bay']),
    station: DeviceId,
    /**
     * `gateway`: plugged into the gateway's machine, served by its own reader agent. `remote`:
     * plugged into another PC (e.g. the kiosk's) whose agent (`forecourt-nfc-agent`) publishes for it.
     */
    agent: z.enum(['gateway', 'remote']).default('gateway'),
  })
  .strict();
export type ReaderConfig = z.infer<typeof ReaderConfig>;

export const ReadersConfig = z
  .array(ReaderConfig)
  .default([])
  .superRefine((readers, ctx) => {
    const seen = new Set<string>();
    readers.forEach((r, i) => {
      for (const key of [`id:${r.id}`, `pcsc:${r.pcscName}`]) {
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate reader ${key.slice(key.indexOf(':') + 1)}` });
        seen.add(key);
      }
    });
  });
