import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { QueueStatsQuery, WorkshopStatsQuery, type QueueFigures, type QueueStatsAnswer, type WorkshopFigures, type WorkshopStatsAnswer } from '../protocol/stats.js';
import { invalid } from './identity-routes.js';
import { answer } from './refusals.js';

/** What the routes need of the statistics. */
export interface StatsApi {
  queue(query: QueueStatsQuery): QueueStatsAnswer;
  workshop(query: WorkshopStatsQuery): WorkshopStatsAnswer;
}

const COLUMNS: [string, (f: QueueFigures) => number | string | null][] = [
  ['issued', (f) => f.issued],
  ['served', (f) => f.served],
  ['no_shows', (f) => f.noShows],
  ['walk_aways', (f) => f.walkAways],
  ['unfinished', (f) => f.unfinished],
  ['transfers', (f) => f.transfers],
  ['peak_share', (f) => f.peakShare],
  ['wait_p50_s', (f) => f.waitP50S],
  ['wait_p90_s', (f) => f.waitP90S],
  ['wait_mean_s', (f) => f.waitMeanS],
  ['service_p50_s', (f) => f.serviceP50S],
  ['service_p90_s', (f) => f.serviceP90S],
  ['service_mean_s', (f) => f.serviceMeanS],
  ['estimate_n', (f) => f.estimate?.n ?? 0],
  ['estimate_mae_s', (f) => f.estimate?.maeS ?? null],
  ['estimate_bias_s', (f) => f.estimate?.biasS ?? null],
  ['estimate_in_range_share', (f) => f.estimate?.inRangeShare ?? null],
];

const cell = (value: number | string | null) => {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

const WORKSHOP_COLUMNS: [string, (f: WorkshopFigures) => number | string | null][] = [
  ['released', (f) => f.released],
  ['promised', (f) => f.promised],
  ['promised_met_share', (f) => f.promisedMetShare],
  ['reworks', (f) => f.reworks],
  ['comebacks', (f) => f.comebacks],
  ['labour_mean_s', (f) => f.labourMeanS],
  ['elapsed_mean_s', (f) => f.elapsedMeanS],
  ['labour_share', (f) => f.labourShare],
];

/** Rows as CSV with a `total` row; a BOM so spreadsheet programs read UTF-8. */
function csvOf<F extends { key: string }>(keyName: string, columns: [string, (f: F) => number | string | null][], rows: readonly F[], total: F): string {
  const lines = [[keyName, ...columns.map(([name]) => name)].join(',')];
  for (const row of [...rows, { ...total, key: 'total' }]) lines.push([cell(row.key), ...columns.map(([, of]) => cell(of(row)))].join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export const queueStatsCsv = (stats: QueueStatsAnswer): string => csvOf(stats.by, COLUMNS, stats.rows, stats.total);
export const workshopStatsCsv = (stats: WorkshopStatsAnswer): string => csvOf('day', WORKSHOP_COLUMNS, stats.rows, stats.total);

/**
 * One kind of figures at `path` as JSON, and at `path.csv` as a download named by `fileName`;
 * the query string crosses `schema` first.
 */
function figureRoutes<Q, A>(app: FastifyInstance, path: string, schema: z.ZodType<Q>, figures: (query: Q) => A, csv: (answer: A) => string, fileName: (query: Q) => string): void {
  app.get(path, async (req, reply) => {
    const query = schema.safeParse(req.query);
    if (!query.success) return invalid(reply, query.error);
    return answer(reply, async () => figures(query.data));
  });
  app.get(`${path}.csv`, async (req, reply) => {
    const query = schema.safeParse(req.query);
    if (!query.success) return invalid(reply, query.error);
    return answer(reply, async () => {
      const text = csv(figures(query.data));
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName(query.data)}"`);
      return text;
    });
  });
}

/** The manager's statistics: figures as JSON for the desk, and the same as a CSV download. */
export function registerStatsRoutes(app: FastifyInstance, stats: StatsApi): void {
  figureRoutes(app, '/api/stats/workshop', WorkshopStatsQuery, (q) => stats.workshop(q), workshopStatsCsv, ({ from, to }) => `workshop-${from}-${to}.csv`);
  figureRoutes(app, '/api/stats/queue', QueueStatsQuery, (q) => stats.queue(q), queueStatsCsv, ({ from, to, by }) => `queue-${from}-${to}-by-${by}.csv`);
}
