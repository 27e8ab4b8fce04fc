import { createHash, randomBytes, randomInt, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

// PINs are short and guessable, so they are hashed slowly (scrypt, per-user salt). Tokens are 256
// random bits: a fast hash is enough, and lets every request be checked without a slow step.

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

export function hashPin(pin: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Off the event loop's thread: a sign-in must not stall the bus. */
export function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !salt || !hash) return Promise.resolve(false);
  const expected = Buffer.from(hash, 'base64url');
  return new Promise((resolve, reject) => {
    scrypt(pin, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: SCRYPT.r, p: SCRYPT.p }, (err, actual) =>
      err ? reject(err) : resolve(timingSafeEqual(actual, expected)),
    );
  });
}

/** A hash that costs as much as a real check, for unknown accounts (no timing oracle for staff numbers). */
export const DUMMY_PIN_HASH = hashPin('0000');

/** Token kinds: `fcd` a device, `fcs` a staff integration token. */
export type TokenKind = 'fcd' | 'fcs';

/** A bearer token `kind.id.secret`; the id finds the row, the secret is compared by hash. */
export function newToken(kind: TokenKind, id: string): { token: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${kind}.${id}.${secret}`, hash: hashSecret(secret) };
}

export function parseToken(token: string): { kind: TokenKind; id: string; secret: string } | undefined {
  const match = /^(fcd|fcs)\.([a-z0-9][a-z0-9-]{0,63})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  return { kind: match[1] as TokenKind, id: match[2] ?? '', secret: match[3] ?? '' };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Session ids and poll tokens: 256 random bits. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A six-digit pairing code a person can read off a screen and type at the desk. */
export function pairingCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function randomPin(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}
