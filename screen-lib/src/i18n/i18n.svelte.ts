import type { Language, LocalizedText } from '@forecourt/gateway/protocol';
import { LANGUAGES } from '@forecourt/gateway/protocol';
import { isMessageKey, readChoice, saveChoice, timeFormat, translate, type MessageKey } from './messages.js';

export { useMessages, type MessageArea, type MessageKey } from './messages.js';

/**
 * The screen's language: the store's default until someone picks another on this screen
 * (remembered in localStorage, so a restarted kiosk keeps it).
 */
export class I18n {
  private storeDefault = $state<Language>('zh-Hans');
  private chosen = $state<Language | undefined>(readChoice());

  readonly language = $derived<Language>(this.chosen ?? this.storeDefault);

  constructor() {
    // <html lang> follows the screen's language on every page that has one: Traditional Chinese
    // then renders with Traditional glyph shapes, and a screen reader picks the right voice.
    if (typeof document !== 'undefined') {
      $effect.root(() => {
        $effect(() => {
          document.documentElement.lang = this.language;
        });
      });
    }
  }

  setStoreDefault(language: Language): void {
    this.storeDefault = language;
  }

  choose(language: Language): void {
    this.chosen = language;
    saveChoice(language);
  }

  t = (key: MessageKey, vars: Record<string, string | number> = {}): string => translate(this.language, key, vars);

  /** The message in a given language, whatever the screen's: a pairing screen shows all three at once. */
  tIn = (language: Language, key: MessageKey, vars: Record<string, string | number> = {}): string => translate(language, key, vars);

  /** For keys built at run time (e.g. a device's reason code): translate only what is known. */
  has = (key: string): key is MessageKey => isMessageKey(key);

  text = (value: LocalizedText): string => value[this.language];

  time = (date: Date, timeZone?: string): string => timeFormat(this.language, timeZone).format(date);
}

export { LANGUAGES };
