import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SERVICES,
  LearningEstimator,
  type DeskConfig,
  type QueueEngine,
  type QueueSituation,
  type WaitEstimate,
} from '../../../gateway/src/domain/queue/index.js';
import { FakeClock, exponential, seededRandom, useDataDir } from './fixtures.js';

// Synthetic queues whose right answer is known, run through the real engine on SQLite with the
// learning estimator, the clock moved by the test.

const START = '2024-05-06T08:00:00+08:00';
const MAINTENANCE = [DEFAULT_SERVICES[0]!];

function desks(count: number): DeskConfig[] {
  return Array.from({ length: count }, (_, i) => ({ id: String(i + 1), name: i + 1, services: ['maintenance'] }));
}

/** P(X ≤ x) for X ~ Gamma(k, 1), k whole: the wait behind k exponential turns. */
function erlangCdf(k: number, x: number): number {
  let term = 1;
  let sum = 1;
  for (let i = 1; i < k; i++) sum += (term *= x / i);
  return 1 - Math.exp(-x) * sum;
}

/** Quantile of Gamma(k, 1), k whole, by bisection. */
function erlangQuantile(k: number, p: number): number {
  let [lo, hi] = [0, 100];
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (erlangCdf(k, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Erlang C: mean wait in queue of M/M/c with arrival rate λ and service rate μ per desk. */
function erlangCWait(c: number, lambda: number, mu: number): number {
  const a = lambda / mu;
  let factorial = 1;
  let below = 0;
  for (let k = 0; k < c; k++) {
    if (k > 0) factorial *= k;
    below += a ** k / factorial;
  }
  const top = (a ** c / (factorial * c)) * (c / (c - a));
  return top / (below + top) / (c * mu - lambda);
}

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

describe('LearningEstimator on synthetic queues', () => {
  const files = useDataDir();

  function open(clock: FakeClock, deskCount: number, serviceMinutes = 12): { engine: QueueEngine; layout: DeskConfig[] } {
    const layout = desks(deskCount);
    const estimator = new LearningEstimator({ desks: layout, serviceMinutes: { maintenance: serviceMinutes } });
    const { db, engine } = files.openEngine(clock, { services: MAINTENANCE, desks: layout, estimator });
    // Thousands of transitions: what is tested is the estimate, not the disk, so no fsync per commit.
    db.pragma('synchronous = OFF');
    return { engine, layout };
  }

  function issueAndEstimate(engine: QueueEngine): { id: string; estimate: WaitEstimate; ahead: number } {
    const { ticket } = engine.issue({ service: 'maintenance' });
    const status = engine.ticketStatus(ticket.id);
    return { id: ticket.id, estimate: status.estimate, ahead: status.peopleAhead };
  }

  it('cold start: before any desk acted, the configured minutes at every configured desk, with the spread of exponential turns', () => {
    const clock = new FakeClock(START);
    const { engine } = open(clock, 2, 12);
    for (let i = 0; i < 3; i++) engine.issue({ service: 'maintenance' });
    const { estimate, ahead } = issueAndEstimate(engine);
    expect(ahead).toBe(3);
    // Four turns of two desks at 12 minutes: a mean of 24 minutes, as Gamma(4) × 6 minutes.
    const turn = 6;
    expect(estimate.minutes).toBeCloseTo(erlangQuantile(4, 0.5) * turn, 0);
    expect(estimate.low).toBeCloseTo(erlangQuantile(4, 0.1) * turn, 0);
    expect(estimate.high).toBeCloseTo(erlangQuantile(4, 0.9) * turn, 0);
  });

  it('cold start: the configured minutes set the scale', () => {
    const clock = new FakeClock(START);
    const { engine } = open(clock, 2, 6);
    for (let i = 0; i < 3; i++) engine.issue({ service: 'maintenance' });
    expect(issueAndEstimate(engine).estimate.minutes).toBeCloseTo(erlangQuantile(4, 0.5) * 3, 0);
  });

  it('one desk, every customer exactly 6 minutes: learns the wait (people ahead + 1) × 6 and narrows the interval to it', () => {
    const clock = new FakeClock(START);
    const { engine } = open(clock, 1, 12);
    for (let i = 0; i < 3; i++) engine.issue({ service: 'maintenance' });
    let current = engine.callNext('1').ticket.id;
    const issued = new Map<string, { at: number; estimate: WaitEstimate; ahead: number }>();
    const real = new Map<string, number>();
    const order: string[] = [];
    // 180 customers: the business day ends at 04:00.
    for (let i = 0; i < 180; i++) {
      const probe = issueAndEstimate(engine);
      issued.set(probe.id, { at: clock.now().getTime(), estimate: probe.estimate, ahead: probe.ahead });
      order.push(probe.id);
      clock.advanceMin(6);
      engine.finish('1', current);
      const called = engine.callNext('1').ticket;
      real.set(called.id, (clock.now().getTime() - Date.parse(called.issuedAt)) / 60_000);
      current = called.id;
    }
    const first = issued.get(order[0]!)!;
    // Cold: the configured 12 minutes a customer for three turns (Gamma(3) median × 12).
    expect(first.ahead).toBe(2);
    expect(first.estimate.minutes).toBeCloseTo(erlangQuantile(3, 0.5) * 12, 0);
    for (const id of order.slice(160, 170)) {
      const { estimate, ahead } = issued.get(id)!;
      expect(ahead).toBe(2);
      expect(real.get(id)).toBe(18);
      expect(Math.abs(estimate.minutes - 18)).toBeLessThan(0.5);
      // The interval narrows around it; its low end still remembers the first, cold customers.
      expect(estimate.high - estimate.low).toBeLessThan(4);
      expect(estimate.low).toBeLessThan(18.5);
      expect(estimate.high).toBeGreaterThan(17.5);
    }
  });

  it('M/M/2: the queue waits as Erlang C says, and the estimate is the median of the wait behind k + 1 turns', () => {
    // Two desks, 30 s a customer on average, 3.2 arrivals a minute: 80 % busy. Minutes throughout.
    const clock = new FakeClock('2024-05-06T05:00:00+08:00');
    const random = seededRandom(12);
    const serviceMean = 0.5;
    const arrivalMean = 1 / 3.2;
    // A configured figure three times too long, to be unlearnt.
    const { engine } = open(clock, 2, 1.5);
    const busy = new Map<string, { ticket: string; until: number }>();
    const waits: number[] = [];
    const probes: { ahead: number; bothBusy: boolean; estimate: WaitEstimate; id: string }[] = [];
    const real = new Map<string, number>();
    let now = 0;
    let nextArrival = exponential(random, arrivalMean);
    const callAt = (desk: string) => {
      const called = engine.callNext(desk).ticket;
      const waited = (clock.now().getTime() - Date.parse(called.issuedAt)) / 60_000;
      waits.push(waited);
      real.set(called.id, waited);
      busy.set(desk, { ticket: called.id, until: now + exponential(random, serviceMean) });
    };
    let arrivals = 0;
    while (arrivals < 3000) {
      const [desk, next] = [...busy].sort(([, a], [, b]) => a.until - b.until)[0] ?? [undefined, undefined];
      if (next && next.until <= nextArrival) {
        clock.advanceMs((next.until - now) * 60_000);
        now = next.until;
        engine.finish(desk!, next.ticket);
        busy.delete(desk!);
        if (engine.snapshot('maintenance').waitingCount > 0) callAt(desk!);
        continue;
      }
      clock.advanceMs((nextArrival - now) * 60_000);
      now = nextArrival;
      nextArrival = now + exponential(random, arrivalMean);
      arrivals += 1;
      const probe = issueAndEstimate(engine);
      probes.push({ ...probe, bothBusy: busy.size === 2 });
      const free = ['1', '2'].find((d) => !busy.has(d));
      if (free) callAt(free);
    }

    const theory = erlangCWait(2, 1 / arrivalMean, 1 / serviceMean);
    expect(theory).toBeCloseTo(0.889, 2);
    expect(mean(waits) / theory).toBeGreaterThan(0.75);
    expect(mean(waits) / theory).toBeLessThan(1.25);

    const learnt = probes.slice(500).filter((p) => real.has(p.id));
    for (const k of [0, 1, 2, 3]) {
      const behind = learnt.filter((p) => p.bothBusy && p.ahead === k);
      expect(behind.length).toBeGreaterThan(40);
      // k ahead, both desks busy: k + 1 turns at 2 × 2 per minute, Gamma(k + 1) / 4 minutes.
      const median = erlangQuantile(k + 1, 0.5) / (2 / serviceMean);
      expect(mean(behind.map((p) => p.estimate.minutes)) / median).toBeGreaterThan(0.8);
      expect(mean(behind.map((p) => p.estimate.minutes)) / median).toBeLessThan(1.2);
    }
    const inside = learnt.filter((p) => p.estimate.low <= real.get(p.id)! && real.get(p.id)! <= p.estimate.high);
    expect(inside.length / learnt.length).toBeGreaterThan(0.72);
    expect(inside.length / learnt.length).toBeLessThan(0.88);
  });

  it('a desk that stops calling while customers wait counts as closed after two of its cycles: the estimate doubles', () => {
    const clock = new FakeClock(START);
    const { engine } = open(clock, 2, 12);
    for (let i = 0; i < 6; i++) engine.issue({ service: 'maintenance' });
    // Both desks 6 minutes a customer, staggered by 3; a new customer every 3 minutes keeps 4 waiting.
    const current = new Map([['1', engine.callNext('1').ticket.id]]);
    clock.advanceMin(3);
    current.set('2', engine.callNext('2').ticket.id);
    let before: WaitEstimate | undefined;
    for (let step = 0; step < 60; step++) {
      const probe = issueAndEstimate(engine);
      if (step === 59) before = probe.estimate;
      clock.advanceMin(3);
      const desk = step % 2 === 0 ? '1' : '2';
      engine.finish(desk, current.get(desk)!);
      current.set(desk, engine.callNext(desk).ticket.id);
    }
    // Desk 2 finishes its customer and leaves; desk 1 goes on alone, customers keep coming.
    clock.advanceMin(3);
    engine.finish('2', current.get('2')!);
    const justLeft = issueAndEstimate(engine).estimate;
    for (let minute = 0; minute < 15; minute += 3) {
      clock.advanceMin(3);
      if (minute % 6 === 3) {
        engine.finish('1', current.get('1')!);
        current.set('1', engine.callNext('1').ticket.id);
      }
    }
    const waitingNow = engine.snapshot('maintenance').waitingCount;
    const after = issueAndEstimate(engine);
    expect(after.ahead).toBe(waitingNow);
    // Within two cycles (12 min) the desk might only be slow; after 15 min it is closed.
    expect(justLeft.minutes / before!.minutes).toBeLessThan(1.5);
    // Per person ahead the wait is twice what it was with two desks.
    const perTurn = (e: WaitEstimate, ahead: number) => e.minutes / (ahead + 1);
    expect(perTurn(after.estimate, after.ahead) / perTurn(before!, 4)).toBeGreaterThan(1.6);
    expect(perTurn(after.estimate, after.ahead) / perTurn(before!, 4)).toBeLessThan(2.4);
  });

  it('a burst of walk-aways: people ahead of a service whose customers walk away count for less', () => {
    // One desk, 6 minutes a customer, for maintenance and repair alike. Every 12 minutes one
    // maintenance and two repair customers arrive, and one of the two repair customers walks away
    // after 5 minutes.
    const clock = new FakeClock(START);
    const services = DEFAULT_SERVICES.slice(0, 2);
    const layout: DeskConfig[] = [{ id: '1', name: 1, services: ['maintenance', 'repair'] }];
    const estimator = new LearningEstimator({ desks: layout, serviceMinutes: { maintenance: 6, repair: 6 } });
    const { engine } = files.openEngine(clock, { services, desks: layout, estimator });
    const situation = (service: string, count: number): QueueSituation => ({
      now: clock.now(),
      ticketId: null,
      service: 'maintenance',
      priority: 'regular',
      issuedAt: clock.now(),
      ahead: Array.from({ length: count }, () => ({ service, priority: 'regular' as const, share: 1 })),
      peopleAhead: service === 'maintenance' ? count : 0,
      desks: layout,
    });
    const behindRepair = () => estimator.estimate(situation('repair', 4)).minutes / estimator.estimate(situation('maintenance', 4)).minutes;

    for (let i = 0; i < 3; i++) engine.issue({ service: 'maintenance' });
    let current = engine.callNext('1').ticket.id;
    const serve = () => {
      clock.advanceMin(6);
      engine.finish('1', current);
      current = engine.callNext('1').ticket.id;
    };
    for (let i = 0; i < 10; i++) {
      engine.issue({ service: 'maintenance' });
      serve();
    }
    // No walk-away yet: four people ahead are four people, whatever their service.
    expect(behindRepair()).toBeCloseTo(1, 2);

    for (let i = 0; i < 40; i++) {
      engine.issue({ service: 'maintenance' });
      engine.issue({ service: 'repair' });
      const walker = engine.issue({ service: 'repair' }).ticket.id;
      clock.advanceMin(5);
      engine.cancel(walker);
      clock.advanceMin(1);
      engine.finish('1', current);
      current = engine.callNext('1').ticket.id;
      serve();
    }
    // Half the repair customers walk away: behind four of them one waits about 1 + 4 / 2 turns, not 1 + 4.
    expect(behindRepair()).toBeGreaterThan(0.55);
    expect(behindRepair()).toBeLessThan(0.75);
  });

  it('a restarted engine learns the stored events again and estimates as the one that ran', () => {
    const clock = new FakeClock(START);
    const layout = desks(2);
    const live = new LearningEstimator({ desks: layout, serviceMinutes: { maintenance: 12 } });
    const { engine } = files.openEngine(clock, { services: MAINTENANCE, desks: layout, estimator: live });
    const random = seededRandom(7);
    for (let i = 0; i < 6; i++) engine.issue({ service: 'maintenance' });
    const current = new Map([
      ['1', engine.callNext('1').ticket.id],
      ['2', engine.callNext('2').ticket.id],
    ]);
    for (let i = 0; i < 80; i++) {
      clock.advanceMin(1 + 4 * random());
      const desk = i % 2 === 0 ? '1' : '2';
      engine.issue({ service: 'maintenance' });
      engine.finish(desk, current.get(desk)!);
      current.set(desk, engine.callNext(desk).ticket.id);
    }
    const probe = engine.issue({ service: 'maintenance' }).ticket.id;
    const liveEstimate = engine.ticketStatus(probe).estimate;

    // A second connection to the same data directory: the gateway after a restart.
    const restarted = new LearningEstimator({ desks: layout, serviceMinutes: { maintenance: 12 } });
    const again = files.openEngine(clock, { services: MAINTENANCE, desks: layout, estimator: restarted }).engine;
    expect(again.ticketStatus(probe).estimate).not.toEqual(liveEstimate);
    expect(again.learnFromHistory(new Date(Date.parse(START) - 86_400_000))).toBeGreaterThan(200);
    expect(again.ticketStatus(probe).estimate).toEqual(liveEstimate);
  });
});
