import { describe, expect, it } from 'vitest';
import { applyChanged, keepUnchanged } from '../../../board-ui/src/workshop/rows.js';

const row = (no: string, stage: string) => ({ no, stage });

describe('lounge board rows', () => {
  it('keeps the objects of unchanged rows, so a screen re-renders only what changed', () => {
    const before = [row('001', 'reception'), row('002', 'in-repair')];
    const after = keepUnchanged(before, [row('001', 'reception'), row('002', 'paused'), row('003', 'reception')]);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after.map((r) => r.stage)).toEqual(['reception', 'paused', 'reception']);
  });

  it('applies changed rows in place and adds new ones in reception-number order', () => {
    const rows = [row('001', 'reception'), row('003', 'washing')];
    expect(applyChanged(rows, [row('003', 'settlement')])).toEqual([row('001', 'reception'), row('003', 'settlement')]);
    expect(applyChanged(rows, [row('002', 'reception')]).map((r) => r.no)).toEqual(['001', '002', '003']);
    expect(applyChanged(rows, [])[0]).toBe(rows[0]);
  });
});
