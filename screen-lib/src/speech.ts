import type { Language } from '@forecourt/gateway/protocol';
import { VOICE_LANGS } from './spoken.js';

export { spokenTicket, VOICE_LANGS } from './spoken.js';

// Speaking, shared by every screen that talks: the board's calls and the kiosk's guidance pick voices alike.

/** The browser's voice for the language, or undefined where it has none (then the screen stays silent). */
export function findVoice(language: Language): SpeechSynthesisVoice | undefined {
  if (typeof speechSynthesis === 'undefined') return undefined;
  const voices = speechSynthesis.getVoices();
  for (const tag of VOICE_LANGS[language]) {
    const voice = voices.find((v) => v.lang.replace('_', '-').toLowerCase().startsWith(tag.toLowerCase()));
    if (voice) return voice;
  }
  return undefined;
}

/**
 * The browser's voices once it has them: Chromium loads them after the page and says so with
 * 'voiceschanged'; a browser without any never does, so give up after `waitMs`.
 */
export function voicesReady(waitMs = 1500): Promise<void> {
  if (typeof speechSynthesis === 'undefined' || speechSynthesis.getVoices().length > 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      speechSynthesis.removeEventListener('voiceschanged', done);
      resolve();
    };
    speechSynthesis.addEventListener('voiceschanged', done);
    setTimeout(done, waitMs);
  });
}

/** Speaks the text in the voice and resolves when it has been said (or after 15 s: some engines never say they are done). */
export function speak(text: string, voice: SpeechSynthesisVoice, rate = 0.9): Promise<void> {
  return new Promise((resolve) => {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = rate;
    utterance.onend = () => resolve();
    utterance.onerror = () => resolve();
    speechSynthesis.speak(utterance);
    setTimeout(resolve, 15_000);
  });
}

/** Stops whatever is being said and drops what waits to be said. */
export function silence(): void {
  if (typeof speechSynthesis !== 'undefined') speechSynthesis.cancel();
}
