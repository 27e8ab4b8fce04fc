import { DemoPrinting } from '../demo/demo-printing.js';
import { DispenserService } from './dispenser-service.js';
import type { Extension, ExtensionContext } from './extension.js';
import { PrintService } from './print-service.js';
import type { QueueService } from './queue-service.js';

/** Printers, dispensers, and in demo mode an emulated printer for the kiosk and the desk. */
export function printingExtensions(ctx: ExtensionContext, queue: QueueService, demo: boolean): Extension[] {
  const printing = new PrintService(ctx, queue);
  return [printing, new DispenserService(ctx, queue, printing), ...(demo ? [new DemoPrinting(ctx, printing)] : [])];
}
