import type { CallEvent, LocalizedText, QueueSnapshot } from '../../protocol/index.js';
import type { QueueView } from './queue-reading.js';
import type { TicketEvent } from './events.js';

/** The retained snapshot of a service's queue, stripped of ticket ids. */
export function toPublicSnapshot(view: QueueView, at: Date): QueueSnapshot {
  return {
    service: view.service,
    waiting: view.waiting.map(({ number, priority, waitedMin }) => ({ number, priority, waitedMin })),
    waitingCount: view.waitingCount,
    servingNow: view.servingNow.map(({ number, desk }) => ({ number, desk })),
    estimatedWaitMin: view.estimatedWaitMin,
    estimatedWaitRange: { ...view.estimatedWaitRange },
    at: at.toISOString(),
  };
}

/** What the boards announce for a call or recall; undefined for any other event. */
export function toCallEvent(event: TicketEvent, deskName?: LocalizedText): CallEvent | undefined {
  if ((event.type !== 'ticket.called' && event.type !== 'ticket.recalled') || !event.desk) return undefined;
  return {
    ticketNumber: event.ticket.number,
    service: event.ticket.service,
    desk: event.desk,
    ...(deskName ? { deskName } : {}),
    at: event.at,
    recall: event.type === 'ticket.recalled',
  };
}
