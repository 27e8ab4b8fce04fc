/**
 * The new rows, with each row that did not change replaced by the object already on screen: a
 * stage change then re-renders one row, not the whole day, on every board.
 */
export function keepUnchanged<T extends { no: string }>(previous: readonly T[], next: readonly T[]): T[] {
  const before = new Map(previous.map((row) => [row.no, row]));
  return next.map((row) => {
    const old = before.get(row.no);
    return old && JSON.stringify(old) === JSON.stringify(row) ? old : row;
  });
}

/** The board's rows with the changed ones replaced (or added, in reception-number order). */
export function applyChanged<T extends { no: string }>(rows: readonly T[], changed: readonly T[]): T[] {
  const byNo = new Map(changed.map((row) => [row.no, row]));
  const merged = rows.map((row) => byNo.get(row.no) ?? row);
  const added = changed.filter((row) => !rows.some((r) => r.no === row.no));
  return added.length === 0 ? merged : [...merged, ...added].sort((a, b) => a.no.localeCompare(b.no));
}
