import { describe, expect, it } from 'vitest';
import { DeskCardIssues, ISSUE_WINDOW_MS, type DeskIssue } from '../../../gateway/src/extensions/desk-card-issues.js';

describe('desk card issues', () => {
  it('keeps one issue per desk for its window, longer while a write is under way, and finds a write by request id', () => {
    let now = Date.parse('2026-03-02T01:00:00Z');
    const issues = new DeskCardIssues<DeskIssue & { who: string }>(() => new Date(now));
    const first = issues.open((until) => ({ desk: '1', who: 'a', until }));
    expect(first.until).toBe(now + ISSUE_WINDOW_MS);
    expect(issues.pending('1')?.who).toBe('a');
    expect(issues.pending('2')).toBeUndefined();

    now += ISSUE_WINDOW_MS + 1;
    expect(issues.pending('1')).toBeUndefined(); // the window passed with no card tapped

    const second = issues.open((until) => ({ desk: '1', who: 'b', until }));
    second.write = { requestId: 'r1', timer: setTimeout(() => undefined, 60_000) };
    now += ISSUE_WINDOW_MS + 1;
    expect(issues.pending('1')?.who).toBe('b'); // its write decides, not the window
    expect(issues.byRequest('r1')?.who).toBe('b');
    expect(issues.byRequest('r2')).toBeUndefined();

    expect(issues.remove('1')?.who).toBe('b');
    expect(issues.pending('1')).toBeUndefined();
    expect(issues.byRequest('r1')).toBeUndefined();
    issues.open((until) => ({ desk: '3', who: 'c', until }));
    issues.clear();
    expect(issues.pending('3')).toBeUndefined();
  });

  it("takes a reader's write result for the issue whose write it answers, and nothing else", () => {
    const issues = new DeskCardIssues<DeskIssue>(() => new Date('2026-03-02T01:00:00Z'));
    const issue = issues.open((until) => ({ desk: '1', until }));
    issue.write = { requestId: '0b9d0c52-8f0e-4a43-9d59-3f4c2a1e7b10', timer: setTimeout(() => undefined, 60_000) };
    const result = { requestId: issue.write.requestId, ok: false, error: 'card-gone', at: '2026-03-02T01:00:01Z' };

    expect(issues.answered(JSON.stringify(result))).toEqual({ issue, result });
    expect(issues.answered(Buffer.from(JSON.stringify(result)))?.issue).toBe(issue);
    expect(issues.answered(JSON.stringify({ ...result, requestId: '5c1f6a7e-1d2b-4c3d-8e9f-0a1b2c3d4e5f' }))).toBeUndefined();
    expect(issues.answered('not json')).toBeUndefined();
    expect(issues.answered(JSON.stringify({ requestId: issue.write.requestId }))).toBeUndefined();
    issues.clear();
  });

  it("settles an issue's write with the reader's answer: the write when written, why not when it failed, nothing for another write", () => {
    const issues = new DeskCardIssues<DeskIssue>(() => new Date('2026-03-02T01:00:00Z'));
    const issue = issues.open((until) => ({ desk: '1', until }));
    const answer = { requestId: 'r1', ok: true, at: '2026-03-02T01:00:01Z' };
    expect(issues.settle(issue, answer)).toBeUndefined(); // no write under way
    let timedOut = false;
    const write = { requestId: 'r1', timer: setTimeout(() => (timedOut = true), 0) };
    issue.write = write;

    expect(issues.settle(issue, { ...answer, requestId: 'r0' })).toBeUndefined();
    expect(issues.settle(issue, { ...answer, ok: false })).toEqual({ failed: 'write-failed' });
    expect(issues.settle(issue, { ...answer, ok: false, error: 'card-gone' })).toEqual({ failed: 'card-gone' });
    expect(issues.settle(issue, answer)).toEqual({ written: write });
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(timedOut, "the write's timer is stopped").toBe(false);
        resolve();
      }, 5),
    );
  });
});
