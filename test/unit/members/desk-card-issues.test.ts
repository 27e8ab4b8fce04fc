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
});
