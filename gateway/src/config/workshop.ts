import { z } from 'zod';
import { BoardLayout, DeviceId } from '../protocol/index.js';

/** A bay's barcode scanner on a serial line (USB-serial or RS-232); it sends `<barcode>\r\n`. */
export const ScannerConfig = z
  .object({
    id: DeviceId,
    path: z.string().min(1),
    baudRate: z.number().int().min(1200).max(921600).default(9600),
  })
  .strict();
export type ScannerConfig = z.infer<typeof ScannerConfig>;

/** The `workshop` section: lounge board, late warning and the bays' serial scanners. */
export const WorkshopConfig = z
  .object({
    board: z
      .object({
        /** What the lounge screens show: the now-serving board, the workshop progress, or both side by side. */
        layout: z._default(BoardLayout, 'both'),
      })
      .strict()
      .prefault({}),
    /** Minutes before the promised time from which an unfinished order shows amber. */
    warnBeforeMin: z.number().int().min(0).max(480).default(30),
    scanners: z
      .array(ScannerConfig)
      .default([])
      .refine((list) => new Set(list.map((s) => s.id)).size === list.length, 'scanner ids must be unique'),
  })
  .strict();
export type WorkshopConfig = z.infer<typeof WorkshopConfig>;
