/**
 * The workshop of one store: repair orders, their stages (stages.ts) and job clocks
 * (job-clock.ts), driven by the same validated commands from the desk, bay terminals and the DMS.
 *
 * Each command is one transition of one order. It validates against the stored order and then
 * writes the order and its event in one store transaction: a refused command throws a
 * WorkshopError and changes nothing.
 *
 * How job clocks and stages go together (so that a bay scan alone keeps the board right):
 * - Starting or resuming a job moves a dispatched, paused or rework order to in-repair.
 * - Pausing a job for parts or approval pauses the order when no other job of it still runs;
 *   a pause without a reason (a break) stops the job's clock only.
 * - Finishing the last open job of an order in repair moves it to repair-done.
 * - Pausing the order (desk) stops every running job clock: paused time is not labour time.
 *   Resuming the order does not restart them: a technician does, with a scan.
 * - Dispatch needs at least one job, each with a technician; repair-done needs every job finished.
 * - A failed quality check (→ rework) lets technicians start finished jobs again.
 * - Opening a reception for a plate that has today's appointment checks that appointment in.
 * - Releasing an order draws the exit pass code the gate scans; a comeback drops it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { JobInput, OrderStage, PauseReason, WorkshopCommand } from '../../protocol/index.js';
import { businessDay } from '../queue/business-day.js';
import { WorkshopError } from './errors.js';
import type { WorkshopEvent, WorkshopEventType } from './events.js';
import { finishJob, pauseJob, resumeJob, startJob } from './job-clock.js';
import type { JobItem, RepairOrder } from './order.js';
import { formatPlate, normalizePlate } from './plate.js';
import { receptionNumber } from './reception-number.js';
import { settle } from './settlement.js';
import { TRANSITIONS, WORKABLE_STAGES, canMove } from './stages.js';
import type { WorkshopStore } from './store.js';

export interface WorkshopEngineOptions {
  store: WorkshopStore;
  clock: () => Date;
  /** The store's IANA time zone, e.g. Asia/Shanghai. */
  timeZone: string;
  /** Local hour a business day starts (the queue's). */
  dayStartHour?: number;
}

/** A promised time this far in the past is still accepted (clocks of desk PCs drift). */
const PROMISE_SLACK_MS = 60_000;

type OpenCommand = Extract<WorkshopCommand, { action: 'open' | 'book' }>;

export class WorkshopEngine {
  private readonly store: WorkshopStore;
  private readonly clock: () => Date;
  private readonly timeZone: string;
  private readonly dayStartHour: number;

  constructor(opts: WorkshopEngineOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.timeZone = opts.timeZone;
    this.dayStartHour = opts.dayStartHour ?? 4;
    this.dayOf(this.clock());
  }

  currentBusinessDay(): string {
    return this.dayOf(this.clock());
  }

  dayOf(at: Date): string {
    return businessDay(at, this.timeZone, this.dayStartHour);
  }

  /** Runs one command; `by` names the sender for the history and the event. */
  execute(command: WorkshopCommand, by: string): WorkshopEvent {
    const now = this.clock();
    return this.store.transaction(() => {
      const event = this.apply(command, by, now);
      this.store.appendEvent(event);
      return event;
    });
  }

  order(no: string): RepairOrder {
    const order = this.store.orderByNo(no);
    if (!order) throw new WorkshopError('order-not-found', `no repair order ${no}`);
    return order;
  }

  orderByToken(token: string): RepairOrder | undefined {
    return this.store.orderByToken(token);
  }

  orderByTicket(ticketId: string): RepairOrder | undefined {
    return this.store.orderByTicket(ticketId);
  }

  orderByExitPass(code: string): RepairOrder | undefined {
    return this.store.orderByExitPass(code);
  }

  /** The orders of the current business day, as the board shows them. */
  ordersOfDay(): RepairOrder[] {
    return this.store.ordersOfDay(this.currentBusinessDay());
  }

  recentHistories(limit: number): RepairOrder['history'][] {
    return this.store.recentHistories(limit);
  }

  private apply(command: WorkshopCommand, by: string, now: Date): WorkshopEvent {
    switch (command.action) {
      case 'open':
      case 'book':
        return this.create(command, by, now);
      case 'move': {
        const order = this.order(command.order);
        const moved = this.move(order, command.to, command.reason ?? null, by, now);
        return this.save('order.moved', command, by, now, order, moved);
      }
      case 'set-promised': {
        const order = this.order(command.order);
        if (order.stage === 'released') throw new WorkshopError('order-wrong-stage', `order ${order.no} is released; reopen it as a comeback first`);
        this.checkPromise(command.promisedAt, now);
        return this.save('order.promised', command, by, now, order, { ...order, promisedAt: new Date(command.promisedAt).toISOString() });
      }
      case 'add-job': {
        const order = this.order(command.order);
        if (order.stage === 'released') throw new WorkshopError('order-wrong-stage', `order ${order.no} is released; reopen it as a comeback first`);
        const job: JobItem = newJob(order.jobs.length + 1, command);
        return this.save('job.added', command, by, now, order, { ...order, jobs: [...order.jobs, job] });
      }
      case 'assign': {
        const order = this.order(command.order);
        const job = this.job(order, command.job);
        return this.save('job.assigned', command, by, now, order, withJob(order, { ...job, technicians: unique(command.technicians) }));
      }
      case 'job-start':
      case 'job-resume': {
        const order = this.workable(command.order, command.action === 'job-start' ? 'started' : 'resumed');
        const job = this.job(order, command.job);
        const running = command.action === 'job-start' ? startJob(job, now, order.stage === 'rework') : resumeJob(job, now);
        let next = withJob(order, running);
        if (next.stage !== 'in-repair') next = this.move(next, 'in-repair', null, by, now);
        return this.save(command.action === 'job-start' ? 'job.started' : 'job.resumed', command, by, now, order, next);
      }
      case 'job-pause': {
        const order = this.workable(command.order, 'paused');
        const job = this.job(order, command.job);
        let next = withJob(order, pauseJob(job, now, command.reason ?? null));
        const othersRunning = next.jobs.some((j) => j.state === 'running');
        if (command.reason && !othersRunning && next.stage === 'in-repair') next = this.move(next, 'paused', command.reason, by, now);
        return this.save('job.paused', command, by, now, order, next);
      }
      case 'set-settlement': {
        const order = this.order(command.order);
        if (order.stage === 'appointment' || order.stage === 'released') {
          throw new WorkshopError('order-wrong-stage', `order ${order.no} is ${order.stage}; a bill is set between reception and release`);
        }
        const settlement = settle(command.lines, command.discount, now.toISOString(), by);
        return this.save('order.settlement-set', command, by, now, order, { ...order, settlement });
      }
      case 'job-finish': {
        const order = this.workable(command.order, 'finished');
        const job = this.job(order, command.job);
        let next = withJob(order, finishJob(job, now));
        if (next.stage === 'in-repair' && next.jobs.every((j) => j.state === 'finished')) next = this.move(next, 'repair-done', null, by, now);
        return this.save('job.finished', command, by, now, order, next);
      }
    }
  }

  private create(command: OpenCommand, by: string, now: Date): WorkshopEvent {
    const plate = normalizePlate(command.plate);
    if (command.promisedAt) this.checkPromise(command.promisedAt, now);
    const today = this.dayOf(now);
    const open = this.store.openOrdersOfPlate(plate);
    const bookedFor = (o: RepairOrder) => (o.stage === 'appointment' && o.appointmentAt ? this.dayOf(new Date(o.appointmentAt)) : undefined);
    // A car in the workshop blocks a second reception; a booking blocks a second booking that day.
    const blocking =
      command.action === 'open'
        ? open.find((o) => o.stage !== 'appointment')
        : open.find((o) => bookedFor(o) === this.dayOf(new Date(command.appointmentAt)));
    if (blocking) {
      throw new WorkshopError('plate-has-open-order', `${formatPlate(plate)} already has order ${blocking.no} (${blocking.stage}); carry on with that one`);
    }
    const appointment = command.action === 'open' ? open.find((o) => bookedFor(o) === today) : undefined;
    if (command.action === 'open' && appointment) {
      // The customer with a booking arrives: check the booked order in rather than open another.
      const checkedIn: RepairOrder = {
        ...appointment,
        model: command.model,
        advisor: command.advisor,
        customerRef: command.customerRef ?? appointment.customerRef,
        ticketId: command.ticketId ?? appointment.ticketId,
        promisedAt: command.promisedAt ? new Date(command.promisedAt).toISOString() : appointment.promisedAt,
        mileageKm: command.mileageKm ?? appointment.mileageKm,
        jobs: [...appointment.jobs, ...command.jobs.map((j, i) => newJob(appointment.jobs.length + i + 1, j))],
      };
      return this.save('order.opened', command, by, now, appointment, this.move(checkedIn, 'reception', null, by, now));
    }
    const day = today;
    const seq = this.store.nextNumber(day);
    const stage: OrderStage = command.action === 'open' ? 'reception' : 'appointment';
    const at = now.toISOString();
    const order: RepairOrder = {
      id: randomUUID(),
      no: receptionNumber(day, seq),
      token: randomBytes(16).toString('base64url'),
      businessDay: day,
      plate,
      model: command.model,
      customerRef: command.customerRef ?? null,
      ticketId: command.action === 'open' ? (command.ticketId ?? null) : null,
      advisor: command.advisor,
      stage,
      pauseReason: null,
      stageSince: at,
      promisedAt: command.promisedAt ? new Date(command.promisedAt).toISOString() : null,
      appointmentAt: command.action === 'book' ? new Date(command.appointmentAt).toISOString() : null,
      mileageKm: command.mileageKm ?? null,
      reworkCount: 0,
      comebackCount: 0,
      createdAt: at,
      releasedAt: null,
      jobs: command.jobs.map((j, i) => newJob(i + 1, j)),
      history: [{ stage, at, by }],
      settlement: null,
      exitPass: null,
    };
    this.store.insertOrder(order, order.appointmentAt ? this.dayOf(new Date(order.appointmentAt)) : null);
    const event = this.event(command.action === 'open' ? 'order.opened' : 'order.booked', command, by, now, order);
    return { ...event, stage: { from: null, to: stage } };
  }

  /** The order after a legal stage change; refuses anything the table or the jobs do not allow. */
  private move(order: RepairOrder, to: OrderStage, reason: PauseReason | null, by: string, now: Date): RepairOrder {
    if (!canMove(order.stage, to)) {
      const allowed = TRANSITIONS[order.stage];
      throw new WorkshopError(
        'illegal-transition',
        `order ${order.no} is ${order.stage}; it can move to ${allowed.join(' or ')} only, not ${to}`,
      );
    }
    if (to === 'paused' && !reason) throw new WorkshopError('reason-required', `pausing order ${order.no} needs a reason: parts or approval`);
    if (to === 'dispatched') {
      if (order.jobs.length === 0) throw new WorkshopError('not-dispatchable', `order ${order.no} has no job items to dispatch`);
      const unassigned = order.jobs.filter((j) => j.technicians.length === 0).map((j) => j.no);
      if (unassigned.length > 0) throw new WorkshopError('not-dispatchable', `order ${order.no}: job ${unassigned.join(', ')} has no technician`);
    }
    if (to === 'repair-done') {
      const open = order.jobs.filter((j) => j.state !== 'finished').map((j) => j.no);
      if (open.length > 0) throw new WorkshopError('jobs-open', `order ${order.no}: job ${open.join(', ')} is not finished`);
    }
    const at = now.toISOString();
    const jobs = to === 'paused' ? order.jobs.map((j) => (j.state === 'running' ? pauseJob(j, now, reason) : j)) : order.jobs;
    return {
      ...order,
      stage: to,
      pauseReason: to === 'paused' ? reason : null,
      stageSince: at,
      reworkCount: order.reworkCount + (to === 'rework' ? 1 : 0),
      comebackCount: order.comebackCount + (order.stage === 'released' ? 1 : 0),
      releasedAt: to === 'released' ? at : order.stage === 'released' ? null : order.releasedAt,
      exitPass: to === 'released' ? exitPassCode() : order.stage === 'released' ? null : order.exitPass,
      jobs,
      history: [...order.history, { stage: to, at, by, ...(reason && to === 'paused' ? { reason } : {}) }],
    };
  }

  private workable(no: string, verb: string): RepairOrder {
    const order = this.order(no);
    if (!WORKABLE_STAGES.includes(order.stage)) {
      throw new WorkshopError('order-wrong-stage', `order ${order.no} is ${order.stage}; a job can be ${verb} while it is ${WORKABLE_STAGES.join(', ')} only`);
    }
    return order;
  }

  private job(order: RepairOrder, no: number): JobItem {
    const job = order.jobs.find((j) => j.no === no);
    if (!job) throw new WorkshopError('job-not-found', `order ${order.no} has no job ${no}`);
    return job;
  }

  private checkPromise(promisedAt: string, now: Date): void {
    if (Date.parse(promisedAt) < now.getTime() - PROMISE_SLACK_MS) {
      throw new WorkshopError('promised-in-past', `the promised time ${promisedAt} has already passed`);
    }
  }

  private save(type: WorkshopEventType, command: WorkshopCommand, by: string, now: Date, before: RepairOrder, after: RepairOrder): WorkshopEvent {
    this.store.updateOrder(after, after.releasedAt ? this.dayOf(new Date(after.releasedAt)) : null);
    const event = this.event(type, command, by, now, after);
    return before.stage !== after.stage ? { ...event, stage: { from: before.stage, to: after.stage } } : event;
  }

  private event(type: WorkshopEventType, command: WorkshopCommand, by: string, now: Date, order: RepairOrder): WorkshopEvent {
    return { id: randomUUID(), type, at: now.toISOString(), by, command, order };
  }
}

function newJob(no: number, input: JobInput): JobItem {
  return {
    no,
    title: input.title,
    technicians: unique(input.technicians),
    state: 'pending',
    segments: [],
    pauseReason: null,
    labourEstimate: input.labourEstimate ?? null,
    partsEstimate: input.partsEstimate ?? null,
  };
}

/** `EP-` and 64 random bits in hex: short enough for a QR code any gate scanner reads, unguessable. */
function exitPassCode(): string {
  return `EP-${randomBytes(8).toString('hex').toUpperCase()}`;
}

function withJob(order: RepairOrder, job: JobItem): RepairOrder {
  return { ...order, jobs: order.jobs.map((j) => (j.no === job.no ? job : j)) };
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
