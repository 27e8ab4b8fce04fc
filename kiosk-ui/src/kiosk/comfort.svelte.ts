import type { Language } from '@forecourt/gateway/protocol';
import { findVoice, silence, speak, voicesReady } from '@forecourt/screen-lib/speech.js';

const LARGE_KEY = 'forecourt.kiosk.large';

/**
 * Reading help at the kiosk for older customers: large text with high contrast, and the screen's
 * main instruction read aloud in the screen's language.
 *
 * They end differently, on purpose. Large text is remembered on this kiosk (localStorage): it is
 * about who uses that kiosk (a store whose customers are mostly older leaves it on), costs the next
 * customer nothing, and an older customer should not have to find the switch again each visit.
 * Reading aloud starts off and goes off again when the customer's session ends (the kiosk returns
 * to its start screen, by "Done" or when left idle): a kiosk that talks to a customer who did not
 * ask is a nuisance in the showroom, and it would read the next customer's ticket number aloud.
 */
export class KioskComfort {
  large = $state(readLarge());
  speech = $state(false);
  /** Read-aloud is on but the browser has no voice for the language: the kiosk says so instead. */
  voiceMissing = $state(false);
  private said: string | undefined;
  private seq = 0;

  constructor() {
    $effect.root(() => {
      $effect(() => {
        document.documentElement.toggleAttribute('data-large', this.large);
      });
    });
  }

  toggleLarge(): void {
    this.large = !this.large;
    try {
      localStorage.setItem(LARGE_KEY, this.large ? '1' : '0');
    } catch {
      // A locked-down profile: the choice lasts until reload.
    }
  }

  /** Turns reading aloud on (and reads the screen at once) or off (and stops talking). */
  toggleSpeech(text: string, language: Language): void {
    this.speech = !this.speech;
    this.said = undefined;
    if (this.speech) void this.say(text, language);
    else silence();
  }

  /** Reads the text when read-aloud is on and the text (or its language) is not what was last read. */
  async say(text: string, language: Language): Promise<void> {
    const key = `${language}\n${text}`;
    if (!this.speech || !text || key === this.said) return;
    this.said = key;
    const seq = ++this.seq;
    silence();
    await voicesReady();
    if (seq !== this.seq || !this.speech) return;
    const voice = findVoice(language);
    this.voiceMissing = !voice;
    if (voice) await speak(text, voice);
  }

  /** The customer's session is over: stop talking and leave read-aloud off for the next one. */
  endSession(): void {
    this.speech = false;
    this.voiceMissing = false;
    this.said = undefined;
    this.seq++;
    silence();
  }
}

function readLarge(): boolean {
  try {
    return localStorage.getItem(LARGE_KEY) === '1';
  } catch {
    return false;
  }
}
