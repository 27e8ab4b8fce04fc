import { StoreInfo } from '@forecourt/gateway/protocol';
import { request } from './api.js';
import type { BusView } from './bus.svelte.js';
import { credentials } from './credentials.js';
import { I18n } from './i18n/i18n.svelte.js';

/** The header's view of a page that opens no bus: never connected, the store's info from HTTP. */
class NoBus implements BusView {
  link = 'idle' as const;
  offlineSince = undefined;
  store = $state<StoreInfo | undefined>(undefined);
  gateway = undefined;
}

/**
 * A public page without MQTT (the customer's phone): one language, and the store's name, language
 * and time zone from `GET /api/store`. Nothing of the bus or its client is in the page's bundle.
 */
export function createPublicScreen(): { bus: BusView; i18n: I18n } {
  credentials.httpAuth = 'session';
  const bus = new NoBus();
  const i18n = new I18n();
  void request('/api/store', StoreInfo).then((answer) => {
    if (!answer.ok) return;
    bus.store = answer.body;
    i18n.setStoreDefault(answer.body.language);
  });
  return { bus, i18n };
}
