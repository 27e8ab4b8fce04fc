import { describe, expect, it } from 'vitest';
import type { TicketPriority } from '../../../gateway/src/protocol/index.js';
import { DEFAULT_CALL_POLICY, callOrder, pickNext, type Ticket } from '../../../gateway/src/domain/queue/index.js';

const T0 = Date.parse('2024-05-06T10:00:00+08:00');
const at = (min: number) => new Date(T0 + min * 60_000);

let seq = 0;
function ticket(priority: TicketPriority, issuedMin: number, service = 'maintenance'): Ticket {
  seq += 1;
  return {
    id: `t${seq}`,
    number: `A${String(seq).padStart(3, '0')}`,
    service,
    originalService: service,
    priority,
    state: 'waiting',
    issuedAt: at(issuedMin).toISOString(),
    calledAt: null,
    desk: null,
    recallCount: 0,
    noShowAt: null,
    memberRef: null,
    businessDay: '2024-05-06',
    firstWaitMin: null,
    firstWaitLow: null,
    firstWaitHigh: null,
  };
}

describe('pickNext', () => {
  it('takes appointment before vip before regular, whatever the order of issue', () => {
    const regular = ticket('regular', 0);
    const vip = ticket('vip', 1);
    const appointment = ticket('appointment', 2);
    const now = at(5);
    expect(pickNext([regular, vip, appointment], ['maintenance'], now)).toBe(appointment);
    expect(pickNext([regular, vip], ['maintenance'], now)).toBe(vip);
    expect([regular, appointment, vip].sort(callOrder(now))).toEqual([appointment, vip, regular]);
  });

  it('takes the longest waiting within a class', () => {
    const later = ticket('regular', 3);
    const earlier = ticket('regular', 1);
    expect(pickNext([later, earlier], ['maintenance'], at(4))).toBe(earlier);
  });

  it("considers only the desk's services", () => {
    const sales = ticket('appointment', 0, 'sales');
    const repair = ticket('regular', 5, 'repair');
    expect(pickNext([sales, repair], ['maintenance', 'repair'], at(6))).toBe(repair);
    expect(pickNext([sales, repair], ['pickup'], at(6))).toBeUndefined();
    expect(pickNext([], ['pickup'], at(6))).toBeUndefined();
  });

  it('promotes a ticket that has waited longer than 20 minutes to the highest class', () => {
    expect(DEFAULT_CALL_POLICY.maxWaitBeforePromotionMin).toBe(20);
    const regular = ticket('regular', 0);
    const vip = ticket('vip', 10);
    const appointment = ticket('appointment', 15);
    // At exactly 20 minutes it is not yet promoted.
    expect(pickNext([regular, vip, appointment], ['maintenance'], at(20))).toBe(appointment);
    // Past 20 minutes it ranks with appointments and, issued earlier, goes first.
    const justPast = new Date(at(20).getTime() + 1);
    expect(pickNext([regular, vip, appointment], ['maintenance'], justPast)).toBe(regular);
    expect([appointment, vip, regular].sort(callOrder(justPast))).toEqual([regular, appointment, vip]);
  });

  it('breaks a tie between a promoted ticket and an earlier appointment by issue time', () => {
    const appointment = ticket('appointment', 0);
    const regular = ticket('regular', 1);
    expect(pickNext([regular, appointment], ['maintenance'], at(30))).toBe(appointment);
  });

  it('honours a custom promotion threshold', () => {
    const regular = ticket('regular', 0);
    const vip = ticket('vip', 4);
    expect(pickNext([regular, vip], ['maintenance'], at(6))).toBe(vip);
    expect(pickNext([regular, vip], ['maintenance'], at(6), { maxWaitBeforePromotionMin: 5 })).toBe(regular);
  });
});
