import type { EventEmitter } from 'node:events';

// The part of nfc-pcsc (an optional dependency with a native module) that the reader agent uses.

export interface NfcCard {
  uid?: string;
  atr?: Buffer;
  standard?: 'TAG_ISO_14443_3' | 'TAG_ISO_14443_4';
  data?: Buffer;
}

export interface NfcReader extends EventEmitter {
  readonly name: string;
  aid: string | Buffer | null;
  card: NfcCard | null;
  read(page: number, length: number, blockSize?: number, packetSize?: number): Promise<Buffer>;
  write(page: number, data: Buffer, blockSize?: number): Promise<void>;
  close(): void;
}

export interface NfcInstance extends EventEmitter {
  close(): void;
}

export type NfcConstructor = new () => NfcInstance;

export class NfcUnavailable extends Error {}

// A variable, so that TypeScript does not need the optional package to compile.
const LIBRARY = 'nfc-pcsc';

/**
 * Loads nfc-pcsc on first use. It is an optional dependency: on a machine without libpcsclite-dev
 * its native module was not built, and the gateway runs on without readers, saying why.
 */
export async function loadNfcLibrary(): Promise<NfcConstructor> {
  let mod: { NFC?: NfcConstructor; default?: { NFC?: NfcConstructor } };
  try {
    mod = (await import(LIBRARY)) as typeof mod;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new NfcUnavailable(`${reason} (install pcscd and libpcsclite-dev, then npm install)`);
  }
  const NFC = mod.NFC ?? mod.default?.NFC;
  if (!NFC) throw new NfcUnavailable('nfc-pcsc has no NFC export');
  return NFC;
}
