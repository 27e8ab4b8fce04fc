import type { StoreInfo } from '../protocol/index.js';
import type { Config } from './schema.js';

/** Who the store is and how it speaks, as screens get it (retained `store/info`, `GET /api/store`). */
export function storeInfoOf(config: Config): StoreInfo {
  const { id, name, language, timeZone } = config.store;
  return { storeId: id, name, language, timeZone };
}
