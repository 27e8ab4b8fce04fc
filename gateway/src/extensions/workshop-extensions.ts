import { WorkshopDemo } from '../demo/workshop-demo.js';
import { BarcodeScanners } from './barcode-scanners.js';
import type { Extension, ExtensionContext } from './extension.js';
import type { WorkshopService } from './workshop-service.js';

/** The workshop's parts in start order: the service, the bays' serial scanners, the demo orders. */
export function workshopExtensions(ctx: ExtensionContext, workshop: WorkshopService, demo: boolean): Extension[] {
  return [
    workshop,
    ...(ctx.config.workshop.scanners.length > 0 ? [new BarcodeScanners(ctx)] : []),
    ...(demo ? [new WorkshopDemo(ctx, workshop)] : []),
  ];
}
