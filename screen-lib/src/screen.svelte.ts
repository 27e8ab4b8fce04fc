import { StoreInfo } from '@forecourt/gateway/protocol';
import { request } from './api.js';
import { Bus } from './bus.svelte.js';
import { credentials, type HttpAuth } from './credentials.js';
import { I18n } from './i18n/i18n.svelte.js';

/**
 * One bus and one language per page; the store's retained info sets the default language. The
 * bus connects once the screen knows who it is (its access controller calls `bus.connect`).
 * `http` says how the page's requests prove who they are: the device token or the staff session.
 */
export function createScreen(role: string, http: HttpAuth): { bus: Bus; i18n: I18n } {
  credentials.httpAuth = http;
  const bus = new Bus(role);
  const i18n = new I18n();
  $effect.root(() => {
    $effect(() => {
      if (bus.store) i18n.setStoreDefault(bus.store.language);
    });
  });
  // The store's name and language before the bus is open (pairing, sign-in, the public status page).
  void request('/api/store', StoreInfo).then((answer) => {
    if (answer.ok && !bus.store) bus.store = answer.body;
  });
  return { bus, i18n };
}
