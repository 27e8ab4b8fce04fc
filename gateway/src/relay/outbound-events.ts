import type { QueueEvent } from '../domain/queue/index.js';
import type { WorkshopEvent } from '../domain/workshop/events.js';
import type { OutboxEntry } from '../store/outbox.js';
import type { z } from 'zod';
import type { AuditData, CheckInData, FollowUpData, PrintFailureData, RepairOrderData, SurveyAnswerData, TicketData } from '../protocol/dms.js';

// Domain events → what head office receives (protocol/dms.ts). Each mapper picks the fields the
// DMS contract names and nothing else: no ticket ids, order tokens, names or phone numbers.

/** `2026-12-01/A023`: a ticket as head office knows it. */
export function ticketKey(businessDay: string, number: string): string {
  return `${businessDay}/${number}`;
}

/** The DMS ids a ticket keeps of its member (`member:12/vehicle:34`, see kiosk-check-in). */
export function dmsIdsOf(memberRef: string | null): { customerId: number | null; vehicleId: number | null } {
  const match = memberRef ? /^member:(\d+)(?:\/vehicle:(\d+))?$/.exec(memberRef) : null;
  return { customerId: match ? Number(match[1]) : null, vehicleId: match?.[2] ? Number(match[2]) : null };
}

export function queueEntry(event: QueueEvent): OutboxEntry {
  if (event.type === 'mode.changed') {
    return {
      type: 'queue.mode-changed',
      aggregate: { type: 'queue', id: 'queue' },
      at: event.at,
      schema: 'forecourt.queue-mode/1',
      data: { mode: event.mode, previous: event.previous, by: event.by },
    };
  }
  const { ticket } = event;
  const data: z.input<typeof TicketData> = {
    businessDay: ticket.businessDay,
    number: ticket.number,
    service: ticket.service,
    originalService: ticket.originalService,
    priority: ticket.priority,
    state: ticket.state,
    issuedAt: ticket.issuedAt,
    calledAt: ticket.calledAt,
    desk: ticket.desk,
    recallCount: ticket.recallCount,
    by: event.desk,
    ...(event.fromService !== undefined ? { fromService: event.fromService } : {}),
    ...dmsIdsOf(ticket.memberRef),
  };
  return { type: event.type, aggregate: { type: 'ticket', id: ticketKey(ticket.businessDay, ticket.number) }, at: event.at, schema: 'forecourt.ticket/1', data };
}

export function workshopEntry(event: WorkshopEvent, ticketOf: (ticketId: string) => string | null): OutboxEntry {
  const { order } = event;
  const data: z.input<typeof RepairOrderData> = {
    no: order.no,
    businessDay: order.businessDay,
    plate: order.plate,
    model: order.model,
    ...dmsIdsOf(order.customerRef),
    ticket: order.ticketId ? ticketOf(order.ticketId) : null,
    advisor: order.advisor,
    stage: order.stage,
    stageChange: event.stage ?? null,
    pauseReason: order.pauseReason,
    promisedAt: order.promisedAt,
    appointmentAt: order.appointmentAt,
    reworkCount: order.reworkCount,
    comebackCount: order.comebackCount,
    createdAt: order.createdAt,
    releasedAt: order.releasedAt,
    jobs: order.jobs.map((j) => ({
      no: j.no,
      title: j.title,
      technicians: j.technicians,
      state: j.state,
      segments: j.segments,
      pauseReason: j.pauseReason,
      labourEstimate: j.labourEstimate,
      partsEstimate: j.partsEstimate,
    })),
    history: order.history.map((h) => ({ stage: h.stage, at: h.at, by: h.by, ...(h.reason ? { reason: h.reason } : {}) })),
    by: event.by,
    mileageKm: order.mileageKm,
    // Not the exit pass code: it opens the gate, and head office has no use for it.
    settlement: order.settlement && {
      lines: order.settlement.lines.map((l) => ({ kind: l.kind, title: l.title, qty: l.qty, unitPrice: l.unitPrice, amount: l.amount })),
      labour: order.settlement.labour,
      parts: order.settlement.parts,
      other: order.settlement.other,
      subtotal: order.settlement.subtotal,
      discount: order.settlement.discount,
      total: order.settlement.total,
      at: order.settlement.at,
      by: order.settlement.by,
    },
  };
  return { type: event.type, aggregate: { type: 'repair-order', id: order.id }, at: event.at, schema: 'star.repair-order/1', data };
}

export function checkInEntry(at: string, data: z.input<typeof CheckInData>): OutboxEntry {
  return { type: 'appointment.checked-in', aggregate: { type: 'appointment', id: data.appointmentId }, at, schema: 'star.service-appointment.check-in/1', data };
}

export function auditEntry(at: string, data: z.input<typeof AuditData>): OutboxEntry {
  // One aggregate for the whole log: head office reads it in the order it was written.
  return { type: `audit.${data.action.replace(/[^a-z.-]/g, '-')}`, aggregate: { type: 'audit', id: 'audit' }, at, schema: 'forecourt.audit/1', data };
}

export function printFailureEntry(at: string, jobId: string, data: z.input<typeof PrintFailureData>): OutboxEntry {
  return { type: 'print.failed', aggregate: { type: 'print-job', id: jobId }, at, schema: 'forecourt.print-failure/1', data };
}

/** A survey answer, on the order's aggregate; `data.comment` is already scrubbed (domain/survey/free-text.ts). */
export function surveyAnswerEntry(orderId: string, data: z.input<typeof SurveyAnswerData>): OutboxEntry {
  return { type: 'survey.answered', aggregate: { type: 'repair-order', id: orderId }, at: data.answeredAt, schema: 'forecourt.survey-answer/1', data };
}

/** A follow-up preference, call or closed complaint, on the order's aggregate; a note is already scrubbed. */
export function followUpEntry(orderId: string, data: z.input<typeof FollowUpData>): OutboxEntry {
  const type = data.kind === 'call' ? 'follow-up.called' : data.kind === 'preference' ? 'follow-up.preference-set' : 'follow-up.flag-closed';
  return { type, aggregate: { type: 'repair-order', id: orderId }, at: data.at, schema: 'forecourt.follow-up/1', data };
}
