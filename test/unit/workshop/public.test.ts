import { describe, expect, it } from 'vitest';
import { progress, stageDurations, toBoardOrder, toPublicStatus } from '../../../gateway/src/domain/workshop/index.js';
import { BoardOrder } from '../../../gateway/src/protocol/index.js';
import { FakeClock, VEHICLE, useWorkshop } from './fixtures.js';

describe('public views of an order', () => {
  const files = useWorkshop();

  it('carry a masked plate and nothing that names the customer', () => {
    const clock = new FakeClock('2025-03-01T09:00:00+08:00');
    const { run } = files.open(clock);
    const order = run({ action: 'open', ...VEHICLE, plate: '粵B·D5678', customerRef: 'member-42', promisedAt: '2025-03-01T14:00:00+08:00' });
    const ctx = { durations: stageDurations([]), now: clock.now(), warnMin: 30 };
    const row = toBoardOrder(order, ctx);
    expect(BoardOrder.parse(row)).toEqual(row);
    expect(row).toMatchObject({ no: order.no, plate: '粵B·D5**8', stage: 'reception', progress: 10, late: 'on-time' });
    const status = toPublicStatus(order, ctx);
    const text = JSON.stringify(status);
    for (const secret of [order.id, order.token, 'member-42', 'D5678', '张伟']) expect(text).not.toContain(secret);
    expect(status.timeline).toEqual([{ stage: 'reception', at: order.stageSince }]);
    expect(status.jobs).toEqual([{ no: 1, title: 'Oil service', state: 'pending' }]);
  });

  it('progress grows with finished job items in repair', () => {
    const jobs = (states: string[]) => states.map((state, i) => ({ no: i + 1, title: 't', technicians: [], state, segments: [], pauseReason: null })) as never;
    expect(progress({ stage: 'in-repair', jobs: jobs(['running', 'pending']) })).toBe(30);
    expect(progress({ stage: 'in-repair', jobs: jobs(['finished', 'running']) })).toBe(45);
    expect(progress({ stage: 'released', jobs: [] })).toBe(100);
  });
});
