import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../gateway/src/config/schema.js';

/** 16 bytes in hex, the least a card key may be (`openssl rand -hex 32` in real life). */
const secret = '00112233445566778899aabbccddeeff';

describe('member and reader configuration', () => {
  it('has defaults that run a demo (no keys: the public demo key; no readers)', () => {
    const config = ConfigSchema.parse({});
    expect(config.members).toMatchObject({ cardKeys: [], vipLevels: ['gold', 'platinum'], reminderDays: 30 });
    expect(config.devices.readers).toEqual([]);
  });

  it('accepts keys and readers, with the agent on the gateway by default', () => {
    const config = ConfigSchema.parse({
      members: { cardKeys: [{ id: 1, secret }, { id: 2, secret }], currentKeyId: 1 },
      devices: { readers: [{ id: 'kiosk-reader-1', pcscName: 'ACS ACR122U 00 00', role: 'kiosk', station: 'kiosk-1' }] },
    });
    expect(config.devices.readers[0]?.agent).toBe('gateway');
  });

  it.each([
    [{ members: { cardKeys: [{ id: 1, secret: 'short' }] } }, 'members.cardKeys.0.secret'],
    [{ members: { cardKeys: [{ id: 1, secret: 'x'.repeat(32) }] } }, 'members.cardKeys.0.secret'],
    [{ members: { cardKeys: [{ id: 1, secret: secret.slice(2) }] } }, 'members.cardKeys.0.secret'],
    [{ members: { cardKeys: [{ id: 0, secret }] } }, 'members.cardKeys.0.id'],
    [{ members: { cardKeys: [{ id: 1, secret }, { id: 1, secret }] } }, 'members.cardKeys'],
    [{ members: { cardKeys: [{ id: 1, secret }], currentKeyId: 2 } }, 'members.currentKeyId'],
    [{ devices: { readers: [{ id: 'a', pcscName: 'X', role: 'kiosk', station: 'k' }, { id: 'b', pcscName: 'X', role: 'desk', station: '1' }] } }, 'devices.readers.1'],
    [{ devices: { readers: [{ id: 'kiosk-reader-1', pcscName: 'X', role: 'kiosk', station: 'k' }] } }, 'members.cardKeys'],
    [{ devices: { readers: [{ id: 'A B', pcscName: 'X', role: 'kiosk', station: 'k' }] } }, 'devices.readers.0.id'],
  ])('refuses %j at %s', (input, path) => {
    const result = ConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
