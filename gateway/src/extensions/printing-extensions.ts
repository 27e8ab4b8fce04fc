import { DemoPrinting } from '../demo/demo-printing.js';
import { DispenserService } from './dispenser-service.js';
import type { Extension, ExtensionContext } from './extension.js';
import { PrintService } from './print-service.js';
import type { QueueService } from './queue-service.js';
import { WorkshopPaper } from './workshop-paper.js';
import type { WorkshopService } from './workshop-service.js';

/** Printers, dispensers, the workshop's documents, and in demo mode an emulated printer for the kiosk and the desk. */
export function printingExtensions(ctx: ExtensionContext, queue: QueueService, workshop: WorkshopService, demo: boolean): Extension[] {
  const printing = new PrintService(ctx, queue);
  return [
    printing,
    new DispenserService(ctx, queue, printing),
    new WorkshopPaper(ctx, workshop, printing),
    ...(demo ? [new DemoPrinting(ctx, printing)] : []),
  ];
}
