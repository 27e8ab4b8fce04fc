import type { Language } from '@forecourt/gateway/protocol';
import { readChoice, saveChoice, timeFormat, translate, type MessageKey } from '@forecourt/screen-lib/i18n/messages.js';

type Listener = () => void;

/**
 * The phone page's language, as the Svelte screens' I18n has it but without Svelte: the store's
 * default until the customer picks another (remembered on the phone). `<html lang>` follows it, so
 * Traditional Chinese renders with Traditional glyph shapes and a screen reader picks the right voice.
 */
export class PageLanguage {
  storeDefault: Language = 'zh-Hans';
  chosen = readChoice();
  private readonly listeners = new Set<Listener>();

  constructor() {
    document.documentElement.lang = this.language;
  }

  get language(): Language {
    return this.chosen ?? this.storeDefault;
  }

  setStoreDefault(language: Language): void {
    this.storeDefault = language;
    this.changed();
  }

  choose(language: Language): void {
    this.chosen = language;
    saveChoice(language);
    this.changed();
  }

  /** Called after each change of language; returns the call that stops it. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  t = (key: MessageKey, vars: Record<string, string | number> = {}): string => translate(this.language, key, vars);

  time = (date: Date, timeZone?: string): string => timeFormat(this.language, timeZone).format(date);

  private changed(): void {
    document.documentElement.lang = this.language;
    for (const listener of [...this.listeners]) listener();
  }
}
