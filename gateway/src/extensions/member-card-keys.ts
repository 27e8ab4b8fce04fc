import type { Config } from '../config/schema.js';
import type { CardKey } from '../domain/members/index.js';

/** The public demo key: anyone can read it here, so cards made with it prove nothing. */
export const DEMO_CARD_KEY: CardKey = { id: 0, secret: Buffer.from('forecourt demo card key - public, demos and tests only') };

/** The dealer group's member-card keys (members.cardKeys), and the one new cards are written with. */
export interface MemberCardKeys {
  key(id: number): CardKey | undefined;
  readonly current: CardKey;
  readonly all: readonly CardKey[];
  /** No key is configured: the demo's public key stands in, so anyone could make a card. */
  readonly demoOnly: boolean;
}

export function memberCardKeys(members: Config['members']): MemberCardKeys {
  const configured = members.cardKeys.map((k) => ({ id: k.id, secret: Buffer.from(k.secret, 'hex') }));
  const byId = new Map((configured.length > 0 ? configured : [DEMO_CARD_KEY]).map((k) => [k.id, k]));
  const currentId = members.currentKeyId ?? Math.max(...byId.keys());
  return {
    key: (id) => byId.get(id),
    current: byId.get(currentId) ?? DEMO_CARD_KEY,
    all: [...byId.values()],
    demoOnly: configured.length === 0,
  };
}
