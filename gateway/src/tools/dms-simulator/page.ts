import type { DmsEvent } from '../../protocol/dms.js';
import type { Faults } from './faults.js';
import type { StreamCounters } from './received-store.js';

/** How many of a store's latest events the page lists. */
export const PAGE_EVENTS = 50;

export interface StoreView {
  storeId: string;
  counters: StreamCounters;
  /** Newest first. */
  latest: readonly DmsEvent[];
}

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** One line of what happened, from fields the event carries (no more than head office holds anyway). */
function summary(event: DmsEvent): string {
  const d = (event.data ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  switch (event.schema) {
    case 'forecourt.ticket/1':
      return `${text(d['number'])} ${text(d['service'])}: ${text(d['state'])}${d['desk'] ? ` at desk ${text(d['desk'])}` : ''}`;
    case 'forecourt.queue-mode/1':
      return `queue mode ${text(d['previous'])} → ${text(d['mode'])}`;
    case 'star.repair-order/1':
      return `order ${text(d['no'])} ${text(d['plate'])}: ${text(d['stage'])}`;
    case 'star.service-appointment.check-in/1':
      return `appointment ${text(d['appointmentId'])} checked in with ticket ${text(d['ticket'])}`;
    case 'forecourt.audit/1':
      return `${text(d['actor'])}: ${text(d['action'])} ${text(d['target'])}`;
    case 'forecourt.print-failure/1':
      return `${text(d['kind'])} on ${text(d['printer'])} not printed: ${text(d['reason'])}`;
    default:
      return '';
  }
}

function activeFaults(faults: Faults): string[] {
  return [
    ...(faults.delayMs > 0 ? [`slow (${faults.delayMs} ms)`] : []),
    ...(faults.errorRate > 0 ? [`HTTP ${faults.errorStatus} for ${Math.round(faults.errorRate * 100)}% of requests`] : []),
    ...(faults.hang ? ['never answers'] : []),
    ...(faults.duplicateReplies ? ['answers with the previous reply'] : []),
    ...(faults.acceptFirst !== null ? [`stores only ${faults.acceptFirst} events per batch`] : []),
    ...(faults.garbage ? [`garbage replies (${faults.garbage})`] : []),
    ...(faults.refuse.types.length + faults.refuse.seqs.length > 0 ? [`refuses ${[...faults.refuse.types, ...faults.refuse.seqs.map((s) => `seq ${s}`)].join(', ')}`] : []),
  ];
}

function storeSection({ storeId, counters, latest }: StoreView): string {
  const rows = latest
    .map((e) => `<tr><td>${e.seq}</td><td>${escape(e.at)}</td><td>${escape(e.type)}</td><td>${escape(e.aggregate.id)}</td><td>${escape(summary(e))}</td></tr>`)
    .join('\n');
  return `<h2>Store ${escape(storeId)}</h2>
<p>${counters.stored} events stored (through seq ${counters.through}), ${counters.batches} batches, ${counters.duplicates} duplicates dropped, ${counters.rejected} refusals.</p>
<table>
<thead><tr><th>seq</th><th>at</th><th>event</th><th>of</th><th>what</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

/** `GET /`: what head office has received, per store, newest first; refreshes itself. */
export function renderHeadOfficePage(stores: readonly StoreView[], faults: Faults): string {
  const problems = activeFaults(faults);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>Head office (simulated DMS)</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; }
.faults { color: #a00; }
</style>
</head>
<body>
<h1>Head office (simulated DMS)</h1>
<p>What the dealer group's DMS has received from its stores, the latest ${PAGE_EVENTS} events of each first. This page refreshes every 5 seconds.</p>
${problems.length > 0 ? `<p class="faults">Simulated faults: ${escape(problems.join('; '))}</p>` : ''}
${stores.length > 0 ? stores.map(storeSection).join('\n') : '<p>Nothing received yet.</p>'}
</body>
</html>
`;
}
