/** Pages of `perPage` rows for `count` rows: at least one page, so an empty board still has page 1. */
export function pageCount(count: number, perPage: number): number {
  return Math.max(1, Math.ceil(count / Math.max(1, perPage)));
}

/** Rows that fit a height: whole rows only, at least one. */
export function rowsThatFit(available: number, rowHeight: number): number {
  return rowHeight > 0 ? Math.max(1, Math.floor(available / rowHeight)) : 1;
}
