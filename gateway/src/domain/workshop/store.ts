import type { WorkshopEvent } from './events.js';
import type { RepairOrder, StageEntry } from './order.js';

/**
 * Where repair orders live. The engine keeps nothing in memory, so several engines on one store
 * (or a restarted one) see the same orders.
 */
export interface WorkshopStore {
  /** Runs `fn` atomically: no concurrent writer in between, all writes or none. */
  transaction<T>(fn: () => T): T;
  orderById(id: string): RepairOrder | undefined;
  orderByNo(no: string): RepairOrder | undefined;
  orderByToken(token: string): RepairOrder | undefined;
  /** The latest order created for a queue ticket. */
  orderByTicket(ticketId: string): RepairOrder | undefined;
  /** The order whose exit pass carries this code (released orders only have one). */
  orderByExitPass(code: string): RepairOrder | undefined;
  /** Orders of a plate that are not released (appointments included). */
  openOrdersOfPlate(plate: string): RepairOrder[];
  /**
   * The orders a board shows on `businessDay`: every order not yet released (appointments only
   * when booked for that day) and those released that day, by reception number.
   */
  ordersOfDay(businessDay: string): RepairOrder[];
  /** Stage histories of the most recently created orders, for the ready-time estimate. */
  recentHistories(limit: number): StageEntry[][];
  /** Takes the next reception sequence number (1, 2, …) of a business day. */
  nextNumber(businessDay: string): number;
  insertOrder(order: RepairOrder, appointmentDay: string | null): void;
  updateOrder(order: RepairOrder, releasedDay: string | null): void;
  appendEvent(event: WorkshopEvent): void;
}
