import { DeskSession, TOPIC_ROOT } from '@forecourt/gateway/protocol';
import type { Bus } from '@forecourt/screen-lib/bus.svelte.js';

/**
 * The taps on one desk's reader: `desk/{desk}/session`, followed as the console's desk changes.
 * The broker lets a signed-in console read its own desk's topic and refuses `desk/+/session`.
 */
export class DeskReaderTaps {
  #desk = $state<string | undefined>(undefined);
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly onTap: (tap: DeskSession) => void,
  ) {}

  /** The desk listened to; undefined while the console has none. */
  get desk(): string | undefined {
    return this.#desk;
  }

  /** Listens to this desk's reader; undefined stops listening. */
  use(desk: string | undefined): void {
    if (desk === this.#desk) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.#desk = desk;
    if (desk) this.unsubscribe = this.bus.on(`${TOPIC_ROOT}/+/desk/${desk}/session`, DeskSession, (_topic, tap) => this.onTap(tap));
  }

  dispose(): void {
    this.use(undefined);
  }
}
