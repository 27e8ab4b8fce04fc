import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatPlate, type RepairOrder } from '../domain/workshop/index.js';
import { DeviceId, OrderDocumentKind, ReceptionNumber, type PrintJobSummary } from '../protocol/index.js';
import type { Actor } from '../store/audit-log.js';
import { requestActor } from './access-hooks.js';
import { answer } from './refusals.js';

/** One of an order's documents at the desk: whether it can print now, and its print jobs (newest first). */
export interface OrderDocumentView {
  kind: OrderDocumentKind;
  available: boolean;
  jobs: PrintJobSummary[];
}

/** What the routes need of the workshop's paper (extensions/workshop-paper.ts). */
export interface WorkshopPaperApi {
  documents(no: string): OrderDocumentView[];
  print(no: string, kind: OrderDocumentKind, printerId: string | undefined, actor: Actor): PrintJobSummary;
  exitPass(code: string): RepairOrder;
}

const DocumentParams = z.object({ no: ReceptionNumber, kind: OrderDocumentKind });
const PrintBody = z.strictObject({ printer: z.optional(DeviceId) });
/** As printed under the exit pass's QR code; a keyboard-wedge scanner may send it in lower case. */
const ExitPassCode = z.string().regex(/^EP-[0-9A-F]{16}$/i).transform((c) => c.toUpperCase());

/**
 * An order's documents for the desk (list, print again; previews are the print jobs' own) and
 * the gate's check of an exit pass.
 */
export function registerWorkshopPaperRoutes(app: FastifyInstance, paper: WorkshopPaperApi): void {
  app.get<{ Params: { no: string } }>('/api/workshop/orders/:no/documents', async (req, reply) =>
    answer(reply, async () => ({ documents: paper.documents(req.params.no) })),
  );

  app.post<{ Params: { no: string; kind: string } }>('/api/workshop/orders/:no/documents/:kind/print', async (req, reply) => {
    const params = DocumentParams.safeParse(req.params);
    const body = PrintBody.safeParse(req.body ?? {});
    if (!params.success || !body.success) {
      const issues = [...(params.error?.issues ?? []), ...(body.error?.issues ?? [])].map((i) => ({ path: i.path.join('.'), message: i.message }));
      return reply.code(400).send({ error: { code: 'invalid-request', message: 'the request does not match the schema', issues } });
    }
    return answer(reply, async () => ({ job: paper.print(params.data.no, params.data.kind, body.data.printer, requestActor(req)) }));
  });

  // The gate scans the pass: the order it lets out, with the full plate to compare with the car.
  app.get<{ Params: { code: string } }>('/api/workshop/exit-passes/:code', async (req, reply) =>
    answer(reply, async () => {
      const code = ExitPassCode.safeParse(req.params.code);
      const order = paper.exitPass(code.success ? code.data : '');
      return { pass: { code: order.exitPass, no: order.no, plate: formatPlate(order.plate), model: order.model, releasedAt: order.releasedAt } };
    }),
  );
}
