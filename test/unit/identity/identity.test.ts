import { describe, expect, it } from 'vitest';
import { ACCOUNT_BACKOFF, Backoff, SOURCE_BACKOFF, hashPin, newToken, parseToken, secretMatches, verifyPin } from '../../../gateway/src/domain/identity/index.js';
import { OpaqueIds, maskPhone } from '../../../gateway/src/store/opaque-ids.js';
import { randomBytes } from 'node:crypto';

describe('PINs and tokens', () => {
  it('hashes a PIN with a per-user salt and checks it', async () => {
    const a = hashPin('482916');
    const b = hashPin('482916');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$/);
    expect(await verifyPin('482916', a)).toBe(true);
    expect(await verifyPin('482917', a)).toBe(false);
    expect(await verifyPin('482916', 'md5$nonsense')).toBe(false);
  });

  it('makes tokens that name their kind and id, and keeps only a hash', () => {
    const { token, hash } = newToken('fcd', 'kiosk-1');
    const parsed = parseToken(token);
    expect(parsed).toMatchObject({ kind: 'fcd', id: 'kiosk-1' });
    expect(token).not.toContain(hash);
    expect(secretMatches(parsed?.secret ?? '', hash)).toBe(true);
    const secret = parsed?.secret ?? '';
    expect(secretMatches(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`, hash)).toBe(false);
    expect(parseToken('fcd.kiosk-1.short')).toBeUndefined();
    expect(parseToken(`xyz.kiosk-1.${'a'.repeat(43)}`)).toBeUndefined();
  });
});

describe('sign-in back-off', () => {
  it('lets a few failures through, then doubles the wait up to a cap', () => {
    let t = 0;
    const b = new Backoff(() => t, SOURCE_BACKOFF);
    for (let i = 0; i < SOURCE_BACKOFF.free; i++) {
      expect(b.waitMs(['s'])).toBe(0);
      b.fail(['s']);
    }
    expect(b.waitMs(['s'])).toBe(0);
    b.fail(['s']);
    expect(b.waitMs(['s'])).toBe(SOURCE_BACKOFF.baseMs);
    b.fail(['s']);
    expect(b.waitMs(['s'])).toBe(2 * SOURCE_BACKOFF.baseMs);
    for (let i = 0; i < 40; i++) b.fail(['s']);
    expect(b.waitMs(['s'])).toBe(SOURCE_BACKOFF.maxMs);
    t += SOURCE_BACKOFF.maxMs;
    expect(b.waitMs(['s'])).toBe(0);
    b.succeed(['s']);
    expect(b.failures('s')).toBe(0);
  });

  it('keeps keys apart: one source failing does not slow another', () => {
    const b = new Backoff(() => 0, ACCOUNT_BACKOFF);
    for (let i = 0; i < 20; i++) b.fail(['account:1']);
    expect(b.waitMs(['account:1'])).toBeGreaterThan(0);
    expect(b.waitMs(['account:2'])).toBe(0);
    expect(b.throttled('account:1')).toBe(true);
    expect(b.throttled('account:2')).toBe(false);
  });
});

describe('opaque member references', () => {
  it('round-trips ids, hides their order, and refuses made-up references', () => {
    const ids = new OpaqueIds(randomBytes(32));
    const refs = [1, 2, 3, 0xffff_ffff].map((id) => ids.encode(id));
    expect(refs.map((r) => ids.decode(r))).toEqual([1, 2, 3, 0xffff_ffff]);
    expect(new Set(refs.map((r) => r.slice(0, 4))).size).toBe(4);
    expect(ids.decode('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(ids.decode('1')).toBeUndefined();
    expect(new OpaqueIds(randomBytes(32)).decode(refs[0] ?? '')).toBeUndefined();
  });

  it('masks mobile numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone(null)).toBeNull();
    expect(maskPhone('1234')).toBe('****');
  });
});
