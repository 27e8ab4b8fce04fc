import type { Language, LocalizedText } from '@forecourt/gateway/protocol';
import { LANGUAGES } from '@forecourt/gateway/protocol';
import { auth } from './auth.js';
import { backups } from './backups.js';
import { board } from './board.js';
import { common } from './common.js';
import { desk } from './desk.js';
import { headOffice } from './head-office.js';
import { kiosk } from './kiosk.js';
import { members } from './members.js';
import { printing } from './printing.js';
import { statistics } from './statistics.js';
import { survey } from './survey.js';
import { workshop } from './workshop.js';

const AREAS = [common, kiosk, desk, board, workshop, members, printing, auth, headOffice, backups, survey, statistics];
export type MessageKey = keyof (typeof common)['en'] | keyof (typeof kiosk)['en'] | keyof (typeof desk)['en'] | keyof (typeof board)['en'] | keyof (typeof workshop)['en'] | keyof (typeof members)['en'] | keyof (typeof printing)['en'] | keyof (typeof auth)['en'] | keyof (typeof headOffice)['en'] | keyof (typeof backups)['en'] | keyof (typeof survey)['en'] | keyof (typeof statistics)['en'];

const DICTIONARIES = Object.fromEntries(
  LANGUAGES.map((lang) => [lang, Object.assign({}, ...AREAS.map((area) => area[lang])) as Record<MessageKey, string>]),
) as Record<Language, Record<MessageKey, string>>;
const STORAGE_KEY = 'forecourt.language';

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
    try {
      localStorage.setItem(STORAGE_KEY, language);
    } catch {
      // Private mode or a locked-down kiosk profile: the choice lasts until reload.
    }
  }

  t = (key: MessageKey, vars: Record<string, string | number> = {}): string => this.tIn(this.language, key, vars);

  /** The message in a given language, whatever the screen's: a pairing screen shows all three at once. */
  tIn = (language: Language, key: MessageKey, vars: Record<string, string | number> = {}): string =>
    DICTIONARIES[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));

  /** For keys built at run time (e.g. a device's reason code): translate only what is known. */
  has = (key: string): key is MessageKey => key in DICTIONARIES.en;

  text = (value: LocalizedText): string => value[this.language];

  time = (date: Date, timeZone?: string): string =>
    new Intl.DateTimeFormat(this.language, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone }).format(date);
}

function readChoice(): Language | undefined {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return (LANGUAGES as readonly string[]).includes(value ?? '') ? (value as Language) : undefined;
  } catch {
    return undefined;
  }
}

export { LANGUAGES };
