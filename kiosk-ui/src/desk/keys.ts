/** The desk's single-key shortcuts; each names the button it presses. */
export const SHORTCUTS = {
  n: 'call-next',
  r: 'recall',
  s: 'start',
  f: 'finish',
  x: 'no-show',
  t: 'transfer',
} as const;
export type ShortcutKey = keyof typeof SHORTCUTS;
export type Shortcut = (typeof SHORTCUTS)[ShortcutKey];

/** True when keys typed at `target` are text for a field, not shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement;
}

/**
 * The shortcut a key press stands for, or undefined. Modified keys (Ctrl+R reloads the page),
 * auto-repeat (a held N must not call three customers), IME composition and typing in a field
 * are never shortcuts.
 */
export function shortcutOf(event: KeyboardEvent): Shortcut | undefined {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.repeat || event.isComposing) return undefined;
  if (isTypingTarget(event.target)) return undefined;
  // The letter on the key; with an input method active the key may read 'Process', so fall back to
  // the physical key.
  const key = event.key.length === 1 ? event.key.toLowerCase() : /^Key([A-Z])$/.exec(event.code)?.[1]?.toLowerCase();
  return key !== undefined && key in SHORTCUTS ? SHORTCUTS[key as ShortcutKey] : undefined;
}

/** The key shown on a button and announced through aria-keyshortcuts. */
export function keyOf(shortcut: Shortcut): string {
  const entry = Object.entries(SHORTCUTS).find(([, s]) => s === shortcut);
  return (entry?.[0] ?? '').toUpperCase();
}
