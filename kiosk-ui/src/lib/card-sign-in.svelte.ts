import { CardSignInAnswer, type StaffTapRefusal } from '@forecourt/gateway/protocol';
import { post, request } from '@forecourt/screen-lib/api.js';
import { credentials } from '@forecourt/screen-lib/credentials.js';
import type { StaffAccess } from './staff-access.svelte.js';

/** After the gateway could not be reached (or was not ready), ask again after this. */
const RETRY_MS = 3000;

/**
 * Sign-in by staff card on an enrolled desk PC or bay terminal: while the sign-in view shows, the
 * screen asks the gateway, a few seconds at a time, for a staff card on its own reader (the
 * gateway knows the station from the screen's device token). A card that signs nobody in is
 * shown with its reason; a screen without a reader (or not enrolled) simply has PINs.
 */
export class CardSignIn {
  /** Whether a staff card works here now: an enrolled screen whose reader the gateway listens to. */
  available = $state(false);
  refusal = $state<{ code: StaffTapRefusal; seq: number } | undefined>(undefined);
  private run = 0;
  private seq = 0;
  /** Ends the ask in flight: the gateway frees the reader for member taps at once. */
  private asking: AbortController | undefined;

  constructor(private readonly access: StaffAccess) {}

  start(): void {
    const run = ++this.run;
    this.available = false;
    if (credentials.deviceToken !== undefined) void this.loop(run);
  }

  stop(): void {
    this.run++;
    this.asking?.abort();
  }

  private async loop(run: number): Promise<void> {
    // The first ask is answered at once: the hint shows only once the gateway listens for this screen.
    let holdMs: number | undefined = 0;
    while (run === this.run) {
      this.asking = new AbortController();
      const answer = await request('/api/auth/card-sign-in', CardSignInAnswer, { ...post(holdMs === undefined ? {} : { holdMs }), signal: this.asking.signal }, 'device');
      if (run !== this.run) return;
      if (!answer.ok) {
        const passing = answer.code === 'network' || answer.code === 'not-ready' || (answer.status ?? 0) >= 500 || answer.code.startsWith('http-5');
        this.available = false;
        // No reader at this station, or the screen is not (any more) an enrolled desk PC or bay.
        if (!passing) return;
        holdMs = 0;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      holdMs = undefined;
      this.available = true;
      const body = answer.body;
      if (body.result === 'signed-in') {
        this.refusal = undefined;
        this.access.signedInByCard(body.principal, body.idleTimeoutS);
        return;
      }
      if (body.result === 'refused') this.refusal = { code: body.refusal, seq: ++this.seq };
    }
  }
}
