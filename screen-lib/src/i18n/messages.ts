import type { Language } from '@forecourt/gateway/protocol';
import { LANGUAGES } from '@forecourt/gateway/protocol';
import type { auth } from './auth.js';
import type { backups } from './backups.js';
import type { board } from './board.js';
import type { common } from './common.js';
import type { desk } from './desk.js';
import type { headOffice } from './head-office.js';
import type { kiosk } from './kiosk.js';
import type { members } from './members.js';
import type { pairing } from './pairing.js';
import type { printing } from './printing.js';
import type { statistics } from './statistics.js';
import type { survey } from './survey.js';
import type { workshop } from './workshop.js';
import type { workshopPublic } from './workshop-public.js';

// The page's messages and the remembered language choice, without Svelte: the Svelte screens'
// I18n (i18n.svelte.ts) and the phone's plain status page share them.

// Every key of every area, as a type only: a misspelt key is a type error on every screen, while
// a screen's bundle carries just the areas its page declares (`useMessages` in its main.ts).
export type MessageKey = keyof (typeof common)['en'] | keyof (typeof kiosk)['en'] | keyof (typeof desk)['en'] | keyof (typeof board)['en'] | keyof (typeof workshop)['en'] | keyof (typeof workshopPublic)['en'] | keyof (typeof members)['en'] | keyof (typeof pairing)['en'] | keyof (typeof printing)['en'] | keyof (typeof auth)['en'] | keyof (typeof headOffice)['en'] | keyof (typeof backups)['en'] | keyof (typeof survey)['en'] | keyof (typeof statistics)['en'];

/** One area's messages in the three languages (define.ts). */
export type MessageArea = Record<Language, Record<string, string>>;

const DICTIONARIES = Object.fromEntries(LANGUAGES.map((lang) => [lang, {}])) as Record<Language, Partial<Record<MessageKey, string>>>;

/**
 * The dictionary areas this page's screen uses: each page's main.ts declares them before it
 * mounts, so a lounge board does not download the desk's admin texts (test/unit/i18n-areas.test.ts
 * checks that every key a screen's code names is in its areas).
 */
export function useMessages(...areas: MessageArea[]): void {
  for (const area of areas) for (const lang of LANGUAGES) Object.assign(DICTIONARIES[lang], area[lang]);
}

/** The message in a language with its `{name}`s filled in. */
export function translate(language: Language, key: MessageKey, vars: Record<string, string | number> = {}): string {
  // A key of an area the page did not declare shows as itself (and the areas test fails).
  return (DICTIONARIES[language][key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** For keys built at run time (e.g. a device's reason code): translate only what is known. */
export function isMessageKey(key: string): key is MessageKey {
  return key in DICTIONARIES.en;
}

const TIME_FORMATS = new Map<string, Intl.DateTimeFormat>();

/**
 * One formatter per language and time zone: making one costs far more than using it, and a board
 * formats a time for each of its 200 rows (on a TV box's CPU that was ~0.1 s per render).
 */
export function timeFormat(language: Language, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${language}|${timeZone ?? ''}`;
  let format = TIME_FORMATS.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone });
    TIME_FORMATS.set(key, format);
  }
  return format;
}

const STORAGE_KEY = 'forecourt.language';

/** The language someone picked on this screen, remembered in localStorage (a restarted kiosk keeps it). */
export function readChoice(): Language | undefined {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return (LANGUAGES as readonly string[]).includes(value ?? '') ? (value as Language) : undefined;
  } catch {
    return undefined;
  }
}

export function saveChoice(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode or a locked-down kiosk profile: the choice lasts until reload.
  }
}
