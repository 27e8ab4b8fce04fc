import { Bus } from './bus.svelte.js';
import { I18n } from './i18n/i18n.svelte.js';

/** One bus and one language per page; the store's retained info sets the default language. */
export function createScreen(role: string): { bus: Bus; i18n: I18n } {
  const bus = new Bus(role);
  const i18n = new I18n();
  $effect.root(() => {
    $effect(() => {
      if (bus.store) i18n.setStoreDefault(bus.store.language);
    });
  });
  bus.connect();
  return { bus, i18n };
}
