import type { PauseReason } from '../../protocol/index.js';
import { WorkshopError } from './errors.js';
import type { ClockSegment, JobItem, JobState } from './order.js';

// A job item's clock: start, pause, resume, finish. Each function returns a new job (the input
// is never changed) or throws job-wrong-state; labour time counts running segments only.

function expect(job: JobItem, states: readonly JobState[], verb: string): void {
  if (!states.includes(job.state)) {
    throw new WorkshopError('job-wrong-state', `job ${job.no} (${job.title}) is ${job.state}; only a ${states.join(' or ')} job can be ${verb}`);
  }
}

function closeRunning(segments: readonly ClockSegment[], at: string): ClockSegment[] {
  return segments.map((s) => (s.end === null ? { ...s, end: at } : s));
}

/** Starts a pending job; `reopen` also allows a finished one (rework after a failed check). */
export function startJob(job: JobItem, at: Date, reopen = false): JobItem {
  expect(job, reopen ? ['pending', 'finished'] : ['pending'], 'started');
  return { ...job, state: 'running', pauseReason: null, segments: [...job.segments, { start: at.toISOString(), end: null }] };
}

export function pauseJob(job: JobItem, at: Date, reason: PauseReason | null): JobItem {
  expect(job, ['running'], 'paused');
  return { ...job, state: 'paused', pauseReason: reason, segments: closeRunning(job.segments, at.toISOString()) };
}

export function resumeJob(job: JobItem, at: Date): JobItem {
  expect(job, ['paused'], 'resumed');
  return { ...job, state: 'running', pauseReason: null, segments: [...job.segments, { start: at.toISOString(), end: null }] };
}

/** Finishes a running or paused job; a paused one adds no time. */
export function finishJob(job: JobItem, at: Date): JobItem {
  expect(job, ['running', 'paused'], 'finished');
  return { ...job, state: 'finished', pauseReason: null, segments: closeRunning(job.segments, at.toISOString()) };
}

/** Milliseconds worked on the job up to `now`; a running segment counts until `now`. */
export function labourMs(job: Pick<JobItem, 'segments'>, now: Date): number {
  return job.segments.reduce((sum, s) => {
    const end = s.end === null ? now.getTime() : Date.parse(s.end);
    return sum + Math.max(0, end - Date.parse(s.start));
  }, 0);
}
