import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CallEvent,
  QueueCommand,
  QueueSnapshot,
  ServiceList,
  TicketNumber,
} from '../../../gateway/src/protocol/index.js';
import {
  DEFAULT_DESKS,
  DEFAULT_SERVICES,
  QueueLayout,
  deskName,
  toCallEvent,
  toPublicSnapshot,
} from '../../../gateway/src/domain/queue/index.js';
import { FakeClock, useDataDir } from './fixtures.js';

const START = '2024-05-06T10:00:00+08:00';

describe('queue bus payloads', () => {
  const files = useDataDir();

  it('publishes snapshots without ticket ids or member references', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock);
    const mine = engine.issue({ service: 'maintenance', memberRef: 'card-42' }).ticket;
    engine.issue({ service: 'maintenance', priority: 'vip' });
    engine.callNext('1');
    clock.advanceMin(3);
    const view = engine.snapshot('maintenance');
    const published = toPublicSnapshot(view, clock.now());
    expect(QueueSnapshot.parse(published)).toEqual(published);
    expect(published.waiting).toEqual([{ number: 'A001', priority: 'regular', waitedMin: 3 }]);
    expect(published.servingNow).toEqual([{ number: 'A002', desk: '1' }]);
    const text = JSON.stringify(published);
    expect(text).not.toContain(mine.id);
    expect(text).not.toContain('card-42');
    // The desk view itself carries ticket ids, so the strict schema refuses it.
    expect(QueueSnapshot.safeParse({ ...view, at: clock.now().toISOString() }).success).toBe(false);
    expect(ServiceList.safeParse({ services: engine.serviceList(), at: clock.now().toISOString() }).success).toBe(true);
  });

  it('announces calls and recalls with the desk name, nothing else', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock);
    const ticket = engine.issue({ service: 'pickup' }).ticket;
    const name = engine.deskState('4').name;
    const call = toCallEvent(engine.callNext('4'), name);
    expect(CallEvent.parse(call)).toEqual({
      ticketNumber: 'E001',
      service: 'pickup',
      desk: '4',
      deskName: { 'zh-Hans': '4号服务台', 'zh-Hant': '4號服務台', en: 'desk 4' },
      at: clock.now().toISOString(),
      recall: false,
    });
    expect(toCallEvent(engine.recall('4', ticket.id))).toMatchObject({ recall: true, desk: '4' });
    expect(toCallEvent(engine.finish('4', ticket.id), name)).toBeUndefined();
  });

  it('parses every command and runs it on the engine', () => {
    const clock = new FakeClock(START);
    const { engine } = files.openEngine(clock);
    const run = (command: unknown) => engine.execute(QueueCommand.parse(command), 'kiosk-1');
    const issued = run({ action: 'issue', service: 'repair', priority: 'vip' });
    expect(issued).toMatchObject({ type: 'ticket.issued', ticket: { number: 'B001', priority: 'vip' } });
    const ticketId = issued.type === 'mode.changed' ? '' : issued.ticket.id;
    expect(run({ action: 'call-next', desk: '2' }).type).toBe('ticket.called');
    expect(run({ action: 'recall', desk: '2', ticketId }).type).toBe('ticket.recalled');
    expect(run({ action: 'no-show', desk: '2', ticketId }).type).toBe('ticket.no-show');
    expect(run({ action: 'put-back', ticketId }).type).toBe('ticket.put-back');
    expect(run({ action: 'transfer', ticketId, service: 'claims' }).type).toBe('ticket.transferred');
    expect(run({ action: 'call', desk: '4', ticketId }).type).toBe('ticket.called');
    expect(run({ action: 'start', desk: '4', ticketId }).type).toBe('ticket.serving');
    expect(run({ action: 'finish', desk: '4', ticketId }).type).toBe('ticket.done');
    const other = run({ action: 'issue', service: 'sales' });
    expect(run({ action: 'cancel', ticketId: other.type === 'mode.changed' ? '' : other.ticket.id }).type).toBe('ticket.cancelled');
    expect(run({ action: 'set-mode', mode: 'peak' })).toMatchObject({ type: 'mode.changed', by: 'kiosk-1' });
    // The author is whoever sent the command (the gateway names it from the identity), never the body.
    expect(engine.execute(QueueCommand.parse({ action: 'set-mode', mode: 'normal' }), 'staff:1001')).toMatchObject({ by: 'staff:1001' });
  });

  it('names tickets with three or four digits, and more on a day past them', () => {
    for (const number of ['A001', 'A0001', 'A999', 'A1000', 'B10000']) expect(TicketNumber.safeParse(number).success, number).toBe(true);
    for (const number of ['A01', 'a001', 'AB001', 'A00x', '001']) expect(TicketNumber.safeParse(number).success, number).toBe(false);
  });

  it('rejects malformed commands', () => {
    const bad = [
      { action: 'issue', service: 'Repair' },
      { action: 'issue', service: 'repair', priority: 'gold' },
      { action: 'call', desk: '1', ticketId: 'A001' },
      { action: 'finish', ticketId: randomUUID() },
      { action: 'set-mode', mode: 'rush' },
      { action: 'set-mode', mode: 'peak', by: 'manager' },
      { action: 'issue', service: 'repair', by: 'kiosk-1' },
      { action: 'explode' },
    ];
    for (const command of bad) expect(QueueCommand.safeParse(command).success, JSON.stringify(command)).toBe(false);
  });

  it('ships a consistent default layout and refuses a broken one', () => {
    expect(QueueLayout.safeParse({ services: DEFAULT_SERVICES, desks: DEFAULT_DESKS }).success).toBe(true);
    expect(DEFAULT_SERVICES.map((s) => `${s.prefix}:${s.name['zh-Hant']}`)).toEqual([
      'A:保養',
      'B:維修',
      'C:索賠/保險',
      'D:銷售/看車',
      'E:交車/結算',
    ]);
    expect(deskName({ id: 'vip', name: { 'zh-Hans': '贵宾室', 'zh-Hant': '貴賓室', en: 'VIP lounge' }, services: ['sales'] }).en).toBe('VIP lounge');
    const clash = [...DEFAULT_SERVICES, { ...DEFAULT_SERVICES[0], code: 'tyres' }];
    expect(QueueLayout.safeParse({ services: clash, desks: DEFAULT_DESKS }).error?.issues[0]?.message).toMatch(/prefix A/);
    const orphan = [...DEFAULT_SERVICES, { ...DEFAULT_SERVICES[0], code: 'tyres', prefix: 'T' }];
    expect(QueueLayout.safeParse({ services: orphan, desks: DEFAULT_DESKS }).error?.issues[0]?.message).toMatch(/no desk serves tyres/);
    const unknown = [...DEFAULT_DESKS, { id: '5', name: 5, services: ['tyres'] }];
    expect(QueueLayout.safeParse({ services: DEFAULT_SERVICES, desks: unknown }).error?.issues[0]?.message).toMatch(/unknown service tyres/);
  });
});
