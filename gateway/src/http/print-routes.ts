import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { renderSvg } from '../adapters/printer/render-svg.js';
import { pageText } from '../adapters/printer/document.js';
import type { Page } from '../adapters/printer/document.js';
import type { PrinterCondition } from '../adapters/printer/agent.js';
import type { PrinterConfig } from '../config/devices.js';
import type { PrintJobSummary } from '../protocol/index.js';
import type { PrintQueueStore } from '../store/print-queue.js';
import type { Actor } from '../store/audit-log.js';
import { answer } from './refusals.js';
import { requestActor } from './access-hooks.js';
import { DeviceId, TicketId } from '../protocol/index.js';

const TicketPrintBody = z
  .object({
    printer: z.optional(DeviceId),
    /** How long the caller waits for the printer's confirmation; 0 queues and answers at once. */
    waitMs: z.number().int().min(0).max(15_000).default(0),
  })
  .strict();

const JobParams = z.object({ id: z.uuid() });

/**
 * Printing over HTTP: the kiosk prints its ticket, the desk lists jobs, previews, reprints and
 * test-prints. Printer state itself travels on the bus (`device/{id}/state`, `print/jobs`).
 */
export interface PrinterView {
  id: string;
  profile: PrinterConfig['profile'];
  link: string;
  condition: PrinterCondition;
  queued: number;
}

/** What a kiosk hears back about its ticket's print. */
export interface TicketPrintResult {
  job: PrintJobSummary;
  printed: boolean;
  /** Not confirmed within the wait, but the printer has it: it may still come out. */
  printing: boolean;
}

/** What the print routes need of the printing service. */
export interface PrintApi {
  readonly defaults: { kiosk?: string; desk?: string };
  readonly jobs: PrintQueueStore;
  printerList(): PrinterView[];
  printTicket(ticketId: string, printerId: string | undefined, waitMs?: number): Promise<TicketPrintResult>;
  preview(jobId: string): { job: PrintJobSummary; pages: Page[]; width: 58 | 80 };
  reprint(jobId: string, actor: Actor): PrintJobSummary;
  testPrint(printerId: string, actor: Actor): PrintJobSummary;
}

export function registerPrintRoutes(app: FastifyInstance, printing: PrintApi): void {
  app.post<{ Params: { ticketId: string } }>('/api/print/ticket/:ticketId', async (req, reply) => {
    const body = TicketPrintBody.safeParse(req.body ?? {});
    if (!body.success || !TicketId.safeParse(req.params.ticketId).success) {
      const issues = body.error?.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) ?? [{ path: 'ticketId', message: 'not a ticket id' }];
      return reply.code(400).send({ error: { code: 'invalid-request', message: 'the request does not match the schema', issues } });
    }
    return answer(reply, () => printing.printTicket(req.params.ticketId, body.data.printer, body.data.waitMs));
  });

  app.get('/api/print/printers', async (_req, reply) => answer(reply, async () => ({ printers: printing.printerList(), defaults: printing.defaults })));

  app.get('/api/print/jobs', async (_req, reply) => answer(reply, async () => ({ jobs: printing.jobs.recent(30) })));

  app.get<{ Params: { id: string } }>('/api/print/jobs/:id', async (req, reply) =>
    withJob(req.params, reply, async (id) => {
      const { job, pages } = printing.preview(id);
      return { job, pages: pages.map((page) => ({ text: pageText(page), page })) };
    }),
  );

  app.get<{ Params: { id: string } }>('/api/print/jobs/:id/preview.svg', async (req, reply) =>
    withJob(req.params, reply, async (id) => {
      const { pages, width } = printing.preview(id);
      const svgs = pages.map((page) => renderSvg(page, width));
      // Several pages (a test print) stack one under another.
      return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'no-cache').send(stack(svgs));
    }),
  );

  app.post<{ Params: { id: string } }>('/api/print/jobs/:id/reprint', async (req, reply) => withJob(req.params, reply, async (id) => ({ job: printing.reprint(id, requestActor(req)) })));

  app.post<{ Params: { id: string } }>('/api/print/printers/:id/test', async (req, reply) => {
    if (!DeviceId.safeParse(req.params.id).success) return reply.code(404).send({ error: { code: 'unknown-printer', message: 'no such printer' } });
    return answer(reply, async () => ({ job: printing.testPrint(req.params.id, requestActor(req)) }));
  });
}

async function withJob(params: { id: string }, reply: FastifyReply, work: (id: string) => Promise<unknown>): Promise<unknown> {
  const parsed = JobParams.safeParse(params);
  if (!parsed.success) return reply.code(404).send({ error: { code: 'job-not-found', message: 'no such print job' } });
  return answer(reply, () => work(parsed.data.id));
}

function stack(svgs: string[]): string {
  if (svgs.length === 1) return svgs[0] ?? '';
  let y = 0;
  let width = 0;
  const inner = svgs.map((svg) => {
    const [, w = '0', h = '0'] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg) ?? [];
    const placed = svg.replace('<svg ', `<svg y="${y}" `);
    y += Number(h);
    width = Math.max(width, Number(w));
    return placed;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${y}" width="${width}" height="${y}">${inner.join('')}</svg>`;
}
