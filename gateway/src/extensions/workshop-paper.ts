import type { FastifyInstance } from 'fastify';
import { ORDER_DOCUMENTS } from '../adapters/printer/documents/index.js';
import { renderDocument } from '../adapters/printer/layout/render.js';
import { publicBaseUrl } from '../config/public-url.js';
import { WorkshopError, type RepairOrder, type WorkshopEvent } from '../domain/workshop/index.js';
import { registerWorkshopPaperRoutes, type OrderDocumentView, type WorkshopPaperApi } from '../http/workshop-paper-routes.js';
import { ORDER_DOCUMENT_KINDS, type OrderDocumentKind, type PrintJobSummary } from '../protocol/index.js';
import type { Actor } from '../store/audit-log.js';
import type { Extension, ExtensionContext } from './extension.js';
import { orderDocument } from './order-document-data.js';
import type { PrintService } from './print-service.js';
import type { WorkshopService } from './workshop-service.js';

/**
 * The workshop's paper on the desk printer: the work order (任务委托书) when an order enters
 * reception (opened, checked in, or back as a comeback), the settlement statement (维修结算单)
 * when the order is in settlement with its bill (on entering it, or when the bill changes then),
 * the exit pass (出厂放行条) on release. The desk lists, previews and prints them again.
 *
 * A document is queued after its command committed: a printer that is missing or refuses leaves
 * the order changed and the desk can print it again.
 */
export class WorkshopPaper implements Extension, WorkshopPaperApi {
  readonly name = 'workshop-paper';
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly workshop: WorkshopService,
    private readonly printing: PrintService,
  ) {}

  async start(): Promise<void> {
    this.stopListening = this.workshop.onEvent((event, actor) => this.onEvent(event, actor));
  }

  async stop(): Promise<void> {
    this.stopListening?.();
  }

  registerRoutes(app: FastifyInstance): void {
    registerWorkshopPaperRoutes(app, this);
  }

  documents(no: string): OrderDocumentView[] {
    const order = this.workshop.engine.order(no);
    const jobs = this.printing.jobs.ofLabel(order.no);
    return ORDER_DOCUMENT_KINDS.map((kind) => ({ kind, available: available(order, kind), jobs: jobs.filter((j) => j.kind === kind) }));
  }

  /** The desk prints a document of the order (again: marked 重印 when one was printed before). */
  print(no: string, kind: OrderDocumentKind, printerId: string | undefined, actor: Actor): PrintJobSummary {
    const order = this.workshop.engine.order(no);
    if (!available(order, kind)) throw new WorkshopError('no-document', NOT_AVAILABLE[kind](order.no));
    const earlier = this.printing.jobs.ofLabel(order.no).find((j) => j.kind === kind);
    return this.ctx.identity.audit.record(actor, () => this.queue(order, kind, printerId, earlier?.id), (job) => ({
      action: 'print.document',
      target: `print-job:${job.id}`,
      detail: { order: order.no, kind, printer: job.printer, ...(earlier ? { reprintOf: earlier.id } : {}) },
    }));
  }

  exitPass(code: string): RepairOrder {
    const order = this.workshop.engine.orderByExitPass(code);
    if (!order) throw new WorkshopError('order-not-found', 'no released order has this exit pass');
    return order;
  }

  private onEvent(event: WorkshopEvent, actor: Actor): void {
    // The demo's simulated workshop would use up the demo printer's roll; staff's own commands print.
    if (actor.via === 'demo') return;
    const kinds = printedBy(event);
    if (kinds.length > 0 && !this.printing.defaults.desk) {
      this.ctx.log.debug({ order: event.order.no, kinds }, 'no desk printer (devices.deskPrinter): workshop documents print on request only');
      return;
    }
    for (const kind of kinds) {
      try {
        const job = this.queue(event.order, kind, undefined, undefined);
        this.ctx.log.info({ order: event.order.no, kind, job: job.id, printer: job.printer }, 'workshop document queued');
      } catch (err) {
        this.ctx.log.warn({ err, order: event.order.no, kind }, 'workshop document not printed; the desk can print it');
      }
    }
  }

  private queue(order: RepairOrder, kind: OrderDocumentKind, printerId: string | undefined, reprintOf: string | undefined): PrintJobSummary {
    const { store } = this.ctx.config;
    const data = orderDocument(order, store.name, publicBaseUrl(this.ctx.config), reprintOf !== undefined);
    return this.printing.printDocument(kind, order.no, (profile) => renderDocument(ORDER_DOCUMENTS[kind], data, profile, store.timeZone), printerId, reprintOf);
  }
}

/** The documents a command prints, by the stage it moved the order to or the bill it set. */
export function printedBy(event: WorkshopEvent): OrderDocumentKind[] {
  const { order } = event;
  const to = event.stage?.to;
  if (to === 'reception') return ['work-order'];
  if (to === 'released') return ['exit-pass'];
  const billed = order.settlement !== null && order.stage === 'settlement';
  return billed && (to === 'settlement' || event.type === 'order.settlement-set') ? ['settlement'] : [];
}

function available(order: RepairOrder, kind: OrderDocumentKind): boolean {
  if (kind === 'work-order') return order.stage !== 'appointment';
  if (kind === 'settlement') return order.settlement !== null;
  return order.exitPass !== null;
}

const NOT_AVAILABLE: Record<OrderDocumentKind, (no: string) => string> = {
  'work-order': (no) => `order ${no} is an appointment; its work order prints at reception`,
  settlement: (no) => `order ${no} has no settlement lines yet`,
  'exit-pass': (no) => `order ${no} is not released; its exit pass prints on release`,
};
