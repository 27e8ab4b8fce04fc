import { describe, expect, it } from 'vitest';
import { finishJob, labourMs, pauseJob, resumeJob, startJob, type JobItem } from '../../../gateway/src/domain/workshop/index.js';
import { FakeClock, VEHICLE, expectWorkshopError, freshPlate, useWorkshop } from './fixtures.js';

const MIN = 60_000;
const T0 = new Date('2025-03-01T09:00:00+08:00');
const at = (min: number) => new Date(T0.getTime() + min * MIN);
const pending: JobItem = { no: 1, title: 'Brake pads', technicians: ['张伟'], state: 'pending', segments: [], pauseReason: null, labourEstimate: null, partsEstimate: null };

describe('job clock', () => {
  it('counts running time only: paused time is not labour time', () => {
    let job = startJob(pending, at(0));
    expect(labourMs(job, at(10))).toBe(10 * MIN);
    job = pauseJob(job, at(30), 'parts');
    expect(job).toMatchObject({ state: 'paused', pauseReason: 'parts' });
    expect(labourMs(job, at(90))).toBe(30 * MIN);
    job = resumeJob(job, at(90));
    expect(labourMs(job, at(100))).toBe(40 * MIN);
    job = pauseJob(job, at(105), null);
    job = resumeJob(job, at(120));
    job = finishJob(job, at(135));
    expect(job.state).toBe('finished');
    expect(labourMs(job, at(500))).toBe((30 + 15 + 15) * MIN);
    expect(job.segments).toHaveLength(3);
  });

  it('finishing a paused job adds no time', () => {
    const job = finishJob(pauseJob(startJob(pending, at(0)), at(20), 'approval'), at(60));
    expect(labourMs(job, at(60))).toBe(20 * MIN);
  });

  it('never changes the job it was given', () => {
    const running = startJob(pending, at(0));
    pauseJob(running, at(5), null);
    expect(running.state).toBe('running');
    expect(running.segments).toEqual([{ start: at(0).toISOString(), end: null }]);
  });

  it('refuses actions the job is not ready for', () => {
    expectWorkshopError(() => pauseJob(pending, at(0), null), 'job-wrong-state');
    expectWorkshopError(() => resumeJob(pending, at(0)), 'job-wrong-state');
    expectWorkshopError(() => finishJob(pending, at(0)), 'job-wrong-state');
    const running = startJob(pending, at(0));
    expectWorkshopError(() => startJob(running, at(1)), 'job-wrong-state');
    expectWorkshopError(() => resumeJob(running, at(1)), 'job-wrong-state');
    const done = finishJob(running, at(2));
    expectWorkshopError(() => startJob(done, at(3)), 'job-wrong-state');
    expect(startJob(done, at(3), true).state).toBe('running');
  });
});

describe('job clocks on orders', () => {
  const files = useWorkshop();

  it('a bay scan sequence moves the order and keeps labour time right across an order pause', () => {
    const clock = new FakeClock('2025-03-01T09:00:00+08:00');
    const { run } = files.open(clock);
    const jobs = [
      { title: 'Oil service', technicians: ['张伟'] },
      { title: 'Brake pads', technicians: ['刘洋'] },
    ];
    let order = run({ action: 'open', ...VEHICLE, plate: freshPlate(), jobs });
    order = run({ action: 'move', order: order.no, to: 'dispatched' });

    order = run({ action: 'job-start', order: order.no, job: 1 }, 'bay:1');
    expect(order.stage).toBe('in-repair');
    expect(order.history.at(-1)).toMatchObject({ stage: 'in-repair', by: 'bay:1' });
    clock.advanceMin(10);
    order = run({ action: 'job-start', order: order.no, job: 2 }, 'bay:2');
    clock.advanceMin(20);
    // Job 1 waits for parts, job 2 still runs: the order stays in repair.
    order = run({ action: 'job-pause', order: order.no, job: 1, reason: 'parts' });
    expect(order.stage).toBe('in-repair');
    clock.advanceMin(5);
    // The desk pauses the whole order: job 2's clock stops too.
    order = run({ action: 'move', order: order.no, to: 'paused', reason: 'approval' }, 'desk:1');
    expect(order.jobs.map((j) => j.state)).toEqual(['paused', 'paused']);
    clock.advanceMin(60);
    order = run({ action: 'job-resume', order: order.no, job: 2 });
    expect(order.stage).toBe('in-repair');
    clock.advanceMin(15);
    order = run({ action: 'job-finish', order: order.no, job: 2 });
    expect(order.stage).toBe('in-repair');
    order = run({ action: 'job-resume', order: order.no, job: 1 });
    clock.advanceMin(12);
    order = run({ action: 'job-finish', order: order.no, job: 1 });
    expect(order.stage).toBe('repair-done');

    const now = clock.now();
    expect(order.jobs.map((j) => labourMs(j, now) / MIN)).toEqual([30 + 12, 25 + 15]);
  });

  it('pausing the last running job for parts pauses the order; a break does not', () => {
    const clock = new FakeClock('2025-03-01T09:00:00+08:00');
    const { run } = files.open(clock);
    let order = run({ action: 'open', ...VEHICLE, plate: freshPlate() });
    order = run({ action: 'move', order: order.no, to: 'dispatched' });
    order = run({ action: 'job-start', order: order.no, job: 1 });
    order = run({ action: 'job-pause', order: order.no, job: 1 });
    expect(order.stage).toBe('in-repair');
    order = run({ action: 'job-resume', order: order.no, job: 1 });
    order = run({ action: 'job-pause', order: order.no, job: 1, reason: 'parts' });
    expect(order).toMatchObject({ stage: 'paused', pauseReason: 'parts' });
  });

  it('job actions need a workable order and a job in the right state', () => {
    const clock = new FakeClock('2025-03-01T09:00:00+08:00');
    const { run } = files.open(clock);
    const order = run({ action: 'open', ...VEHICLE, plate: freshPlate() });
    expectWorkshopError(() => run({ action: 'job-start', order: order.no, job: 1 }), 'order-wrong-stage');
    run({ action: 'move', order: order.no, to: 'dispatched' });
    expectWorkshopError(() => run({ action: 'job-start', order: order.no, job: 2 }), 'job-not-found');
    expectWorkshopError(() => run({ action: 'job-finish', order: order.no, job: 1 }), 'job-wrong-state');
    expectWorkshopError(() => run({ action: 'job-start', order: '250301-999', job: 1 }), 'order-not-found');
  });
});
