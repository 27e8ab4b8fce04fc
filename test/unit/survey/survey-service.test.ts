import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@forecourt/gateway';
import { SurveyError } from '../../../gateway/src/domain/survey/index.js';
import { WorkshopEngine } from '../../../gateway/src/domain/workshop/index.js';
import type { ExtensionContext } from '../../../gateway/src/extensions/extension.js';
import type { MemberSession } from '../../../gateway/src/domain/members/sessions.js';
import { FollowUpService } from '../../../gateway/src/extensions/follow-up-service.js';
import { SurveyService } from '../../../gateway/src/extensions/survey-service.js';
import { Identity } from '../../../gateway/src/identity/identity.js';
import { GatewayMetrics } from '../../../gateway/src/observability/metrics.js';
import { openDatabase, type Db } from '../../../gateway/src/store/database.js';
import { SqliteMemberStore } from '../../../gateway/src/store/member-store.js';
import { OpaqueIds } from '../../../gateway/src/store/opaque-ids.js';
import { SqliteWorkshopStore } from '../../../gateway/src/store/workshop-store.js';
import type { WorkshopCommand } from '@forecourt/gateway/protocol';
import { testMember } from '../../support/members.js';
import { releaseOrder } from '../../support/survey.js';

// The survey service on a real SQLite file with a workshop engine, both on one injected clock:
// one answer per order, and the follow-up list on the store's calendar (Asia/Shanghai).

const ADVISOR = { actor: 'staff:1002', role: 'advisor', via: 'desk-1' };
const MANAGER = { actor: 'staff:1001', role: 'manager', via: 'desk-1' };

describe('survey and follow-up calls', () => {
  let dir: string;
  let db: Db;
  let clock: Date;
  let engine: WorkshopEngine;
  let survey: SurveyService;
  let followUps: FollowUpService;
  const send = (command: Record<string, unknown>) => engine.execute(command as WorkshopCommand, 'desk:1');
  const advance = (iso: string) => (clock = new Date(iso));
  const due = () => followUps.followUps().due.map((d) => d.order);
  const tokenOf = (no: string) => engine.order(no).token;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forecourt-survey-'));
    db = openDatabase(dir);
    const { config } = loadConfig(['--data-dir', dir], {}, dir);
    config.store.timeZone = 'Asia/Shanghai';
    // The engine reads the clock as it is made: the injected clock is set before anything reads it.
    advance('2026-12-01T16:30:00Z');
    const now = () => clock;
    const log = pino({ level: 'silent' });
    const identity = new Identity(db, { storeId: config.store.id, demo: false, idleTimeoutS: { desk: 600, bay: 120 }, pairingMinutes: 10 }, now, log);
    const metrics = new GatewayMetrics({ connectedClients: () => 0, databaseBytes: () => 0 });
    const ctx = { config, db, log, metrics, mqttPort: () => 0, now, identity } as unknown as ExtensionContext;
    const memberStore = new SqliteMemberStore(db);
    memberStore.upsertMembers([testMember({ name: '欧阳小明', phone: '13912345678' })]);
    const ids = OpaqueIds.forDatabase(db);
    engine = new WorkshopEngine({ store: new SqliteWorkshopStore(db), clock: now, timeZone: config.store.timeZone });
    const session: MemberSession = { id: 's', role: 'kiosk', station: 'kiosk-1', memberId: 42, vehicleId: 421, createdAt: 0, linkedTicket: null };
    const members = { session: () => session, store: memberStore, refOf: (id: number) => ids.encode(id) };
    survey = new SurveyService(ctx, { engine }, members);
    followUps = new FollowUpService(ctx, { engine }, members);
    await survey.start();
    await followUps.start();
    // 2 December 00:30 in Shanghai (still 1 December in UTC).
    advance('2026-12-01T16:30:00Z');
  });
  afterEach(async () => {
    await followUps.stop();
    await survey.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes one answer per order, refuses a second and an order not released, and relays the comment scrubbed', async () => {
    const open = (await send({ action: 'open', plate: '粤B·A1234', model: 'Golf', advisor: 'Zhang', jobs: [] })).order.no;
    expect(() => survey.answerByToken(tokenOf(open), { rating: 5, tags: [] })).toThrow(expect.objectContaining({ code: 'survey-not-open' }));
    const no = await releaseOrder(send, { plate: '粤B·D5678', customerRef: 'member:42/vehicle:421' });
    expect(survey.phoneSurvey(tokenOf(no))).toEqual({ state: 'open', answeredAt: null });

    const comment = '欧阳先生 says: call me on 139 1234 5678 or mail xm@example.com, the waiting was long';
    const first = survey.answerByToken(tokenOf(no), { rating: 2, tags: ['waiting-time', 'quality'], comment });
    expect(first.order).toBe(no);
    const second = () => survey.answerByToken(tokenOf(no), { rating: 5, tags: [] });
    expect(second).toThrow(SurveyError);
    expect(second).toThrow(expect.objectContaining({ code: 'survey-answered' }));
    expect(survey.phoneSurvey(tokenOf(no)).state).toBe('answered');

    // Stored as written, once; the audit row and the event written with it.
    const rows = db.prepare('SELECT rating, comment FROM survey_answer').all();
    expect(rows).toEqual([{ rating: 2, comment }]);
    expect(db.prepare("SELECT COUNT(*) FROM audit WHERE action = 'survey.answer'").pluck().get()).toBe(1);
    const event = JSON.parse(db.prepare("SELECT data FROM outbox WHERE type = 'survey.answered'").pluck().get() as string) as { comment: string; customerId: number; rating: number };
    expect(event).toMatchObject({ rating: 2, customerId: 42 });
    expect(event.comment).toBe('*** says: call me on *** or mail ***, the waiting was long');

    // A comeback reopens the order; released again, the order's one answer still stands.
    await send({ action: 'move', order: no, to: 'reception' });
    expect(survey.phoneSurvey(tokenOf(no)).state).toBe('answered');
  });

  it('closes the survey openDays after the release', async () => {
    const no = await releaseOrder(send, { plate: '粤B·D5678' });
    advance('2026-12-31T16:29:00Z');
    expect(survey.phoneSurvey(tokenOf(no)).state).toBe('open');
    advance('2026-12-31T16:31:00Z');
    expect(survey.phoneSurvey(tokenOf(no)).state).toBe('expired');
    expect(() => survey.answerByToken(tokenOf(no), { rating: 4, tags: [] })).toThrow(expect.objectContaining({ code: 'survey-not-open' }));
  });

  it('lists an order for its follow-up call from the third day after the release, by the store calendar', async () => {
    const no = await releaseOrder(send, { plate: '粤B·D5678', customerRef: 'member:42/vehicle:421' });
    followUps.setPreference(no, 'evening', ADVISOR);
    advance('2026-12-04T15:59:00Z'); // 4 December 23:59 in Shanghai: not yet, although UTC is past the 4th
    expect(due()).toEqual([]);
    advance('2026-12-04T16:00:00Z'); // 5 December 00:00 in Shanghai
    const [item] = followUps.followUps().due;
    expect(item).toMatchObject({ order: no, dueDate: '2026-12-05', callTime: 'evening', attempts: 0, customer: { name: '欧阳小明', phone: '139****5678' } });
    expect(JSON.stringify(followUps.followUps())).not.toContain('13912345678');

    // Not reached: still due, with the attempt counted.
    expect(followUps.recordCall(no, { outcome: 'not-reached' }, ADVISOR)).toMatchObject({ attempts: 1, stillDue: true, flag: null });
    advance('2026-12-06T02:00:00Z');
    expect(followUps.followUps().due[0]).toMatchObject({ order: no, attempts: 1 });

    // A complaint ends the call and flags the order for the manager until closed.
    const complaint = followUps.recordCall(no, { outcome: 'complaint', note: '欧阳小明 unhappy: the scratch is still there' }, ADVISOR);
    expect(complaint).toMatchObject({ attempts: 2, stillDue: false });
    expect(due()).toEqual([]);
    expect(() => followUps.recordCall(no, { outcome: 'reached' }, ADVISOR)).toThrow(expect.objectContaining({ code: 'follow-up-not-open' }));
    const [flag] = followUps.followUps().flags;
    expect(flag).toMatchObject({ id: complaint.flag, order: no, note: '欧阳小明 unhappy: the scratch is still there' });
    followUps.closeFlag(flag!.id, 'called back, repainted', MANAGER);
    expect(followUps.followUps().flags).toEqual([]);
    expect(() => followUps.closeFlag(flag!.id, undefined, MANAGER)).toThrow(expect.objectContaining({ code: 'flag-closed' }));

    const relayed = db.prepare("SELECT type, data FROM outbox WHERE type LIKE 'follow-up.%' ORDER BY seq").all() as { type: string; data: string }[];
    expect(relayed.map((r) => r.type)).toEqual(['follow-up.preference-set', 'follow-up.called', 'follow-up.called', 'follow-up.flag-closed']);
    expect(relayed.map((r) => r.data).join()).not.toContain('欧阳小明');
    const audit = db.prepare("SELECT action FROM audit WHERE action LIKE 'follow-up.%' ORDER BY seq").pluck().all();
    expect(audit).toEqual(['follow-up.preference', 'follow-up.call', 'follow-up.call', 'follow-up.close-flag']);
  });

  it('calls again after a comeback is released again', async () => {
    const no = await releaseOrder(send, { plate: '粤B·D5678' });
    advance('2026-12-05T01:00:00Z');
    followUps.recordCall(no, { outcome: 'reached' }, ADVISOR);
    expect(due()).toEqual([]);
    await send({ action: 'move', order: no, to: 'reception' });
    await send({ action: 'add-job', order: no, title: 'Recheck', technicians: ['Li'] });
    await send({ action: 'move', order: no, to: 'dispatched' });
    await send({ action: 'job-start', order: no, job: 2 });
    await send({ action: 'job-finish', order: no, job: 2 });
    for (const to of ['quality-check', 'washing', 'settlement', 'ready', 'released']) await send({ action: 'move', order: no, to });
    expect(due()).toEqual([]);
    advance('2026-12-08T01:00:00Z');
    expect(due()).toEqual([no]);
  });
});
