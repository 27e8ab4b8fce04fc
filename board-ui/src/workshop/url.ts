import { BoardLayout } from '@forecourt/gateway/protocol';

/** `?view=queue|workshop|both` overrides the store's configured layout for one screen. */
export function viewFromUrl(search = location.search): BoardLayout | undefined {
  const parsed = BoardLayout.safeParse(new URLSearchParams(search).get('view'));
  return parsed.success ? parsed.data : undefined;
}

/** A positive number from the URL (`?pageSeconds=5`), for tests and unusual screens. */
export function numberFromUrl(name: string, search = location.search): number | undefined {
  const value = Number(new URLSearchParams(search).get(name) ?? NaN);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
