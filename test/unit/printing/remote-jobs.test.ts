import { describe, expect, it } from 'vitest';
import { createLogger } from '@forecourt/gateway';
import { RemoteJobs } from '../../../gateway/src/adapters/printer/remote-jobs.js';
import type { PrintAgentJob } from '../../../gateway/src/protocol/print-agent.js';

// The queue of a printer agent on another PC: what it answers to a job id it has, has printed or
// has cancelled, so that no redelivery prints a job twice and no cancel drops a started one.

const ID = '11111111-2222-4333-8444-555555555555';
const OTHER = '66666666-7777-4888-9999-000000000000';
const at = '2026-12-01T10:00:00+08:00';
const job = (id = ID, reprint = false): PrintAgentJob => ({ type: 'job', id, attempt: reprint ? 2 : 1, reprint, label: 'A001', data: Buffer.from('ticket').toString('base64'), at });

function setup(): { jobs: RemoteJobs; reports: string[]; wakes: () => number } {
  const reports: string[] = [];
  let wakes = 0;
  const jobs = new RemoteJobs({ report: (event, id, reason) => reports.push(`${id === ID ? 'job' : 'other'} ${event}${reason ? ` ${reason}` : ''}`), wake: () => wakes++, log: createLogger('silent', false) });
  return { jobs, reports, wakes: () => wakes };
}

describe('remote print jobs (agent side)', () => {
  it('queues a job once, however often it is delivered, and answers "printed" to a redelivery after printing it', () => {
    const { jobs, reports, wakes } = setup();
    jobs.accept(job());
    jobs.accept(job());
    expect(jobs.next()).toMatchObject({ id: ID, attempts: 0, label: 'A001' });
    expect(jobs.next()?.data.toString()).toBe('ticket');
    expect(jobs.queued).toBe(1);
    jobs.countAttempt(ID);
    jobs.markPrinted(ID);
    jobs.accept(job());
    expect(jobs.next()).toBeUndefined();
    expect(reports).toEqual(['job received', 'job received', 'job started', 'job printed', 'job printed']);
    expect(wakes()).toBe(1);
  });

  it('keeps jobs in the order they came; a job sent with the reprint flag counts as tried before', () => {
    const { jobs } = setup();
    jobs.accept(job(OTHER));
    jobs.accept(job(ID, true));
    expect(jobs.next()?.id).toBe(OTHER);
    jobs.markPrinted(OTHER);
    expect(jobs.next()).toMatchObject({ id: ID, attempts: 1 });
  });

  it('a cancel takes back a job not started; a started one stays and says so; a cancelled id never prints', () => {
    const { jobs, reports } = setup();
    jobs.accept(job());
    jobs.countAttempt(ID);
    jobs.accept({ type: 'cancel', id: ID, at });
    expect(jobs.next()?.id).toBe(ID);
    jobs.interrupted(ID, 'paper-out');
    jobs.accept(job(OTHER));
    jobs.accept({ type: 'cancel', id: OTHER, at });
    // Cancelled before it arrived (or sent again after the cancel): still cancelled.
    jobs.accept(job(OTHER));
    expect(jobs.queued).toBe(1);
    expect(reports).toEqual(['job received', 'job started', 'job started', 'job failed paper-out', 'other received', 'other cancelled', 'other cancelled']);
  });

  it('a reason that is not a short code is reported as "stopped"', () => {
    const { jobs, reports } = setup();
    jobs.accept(job());
    jobs.interrupted(ID, 'Paper Out!');
    expect(reports.at(-1)).toBe('job failed stopped');
  });
});
