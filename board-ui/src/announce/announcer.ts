import type { Language } from '@forecourt/gateway/protocol';
import { findVoice, speak } from '@forecourt/screen-lib/speech.js';

/**
 * Chime, then the spoken call where the browser has a voice for the language; chime only where it
 * has none. Calls queue up and never talk over each other.
 */
export class Announcer {
  private chain: Promise<void> = Promise.resolve();
  private audio: AudioContext | undefined;

  announce(sentence: string, language: Language): void {
    this.chain = this.chain.then(async () => {
      await this.chime();
      const voice = findVoice(language);
      if (voice) await speak(sentence, voice);
    }).catch(() => undefined);
  }

  /** Two soft tones, the way a bank's queue board sounds. */
  private async chime(): Promise<void> {
    if (typeof AudioContext === 'undefined') return;
    this.audio ??= new AudioContext();
    const ctx = this.audio;
    if (ctx.state === 'suspended') await ctx.resume().catch(() => undefined);
    const start = ctx.currentTime + 0.05;
    [660, 880].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.3, start + i * 0.35 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.35 + 0.6);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + i * 0.35);
      osc.stop(start + i * 0.35 + 0.65);
    });
    await new Promise((r) => setTimeout(r, 1000));
  }
}
