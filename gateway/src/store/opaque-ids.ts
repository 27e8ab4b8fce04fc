import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Db } from './database.js';

const TAG = Buffer.from('forecourt-m', 'ascii'); // 11 bytes + 1 spare + 4-byte id = one AES block

/**
 * Member ids in URLs as opaque references: the id encrypted (one AES block) under a key made for
 * this store's database, so references cannot be counted through and a made-up one is refused.
 */
export class OpaqueIds {
  constructor(private readonly key: Buffer) {}

  static forDatabase(db: Db): OpaqueIds {
    const get = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
    const stored = get.get('opaque-id-key') as string | undefined;
    if (stored) return new OpaqueIds(Buffer.from(stored, 'base64'));
    const key = randomBytes(32);
    db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('opaque-id-key', key.toString('base64'));
    return new OpaqueIds(Buffer.from(get.get('opaque-id-key') as string, 'base64'));
  }

  encode(id: number): string {
    const block = Buffer.alloc(16);
    TAG.copy(block);
    block.writeUInt32BE(id, 12);
    const cipher = createCipheriv('aes-256-ecb', this.key, null).setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64url');
  }

  decode(ref: string): number | undefined {
    if (!/^[A-Za-z0-9_-]{22}$/.test(ref)) return undefined;
    const decipher = createDecipheriv('aes-256-ecb', this.key, null).setAutoPadding(false);
    const block = Buffer.concat([decipher.update(Buffer.from(ref, 'base64url')), decipher.final()]);
    if (!block.subarray(0, 12).equals(Buffer.concat([TAG, Buffer.alloc(1)]))) return undefined;
    return block.readUInt32BE(12);
  }
}

/** `13812345678` → `138****5678`: enough for the desk to recognise, not to call. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  return phone.length <= 4 ? '*'.repeat(phone.length) : `${phone.slice(0, Math.min(3, phone.length - 4))}${'*'.repeat(Math.max(1, phone.length - 7))}${phone.slice(-4)}`;
}
