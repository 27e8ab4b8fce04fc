import { Socket } from 'node:net';

/**
 * A contactless card on a vsmartcard-vpcd virtual reader, for tests, the tap benchmark and for
 * trying a store's PC/SC set-up without a real card. vpcd listens per reader (TCP 35963 for
 * "Virtual PCD 00 00", 35964 for "00 01"); the card connects as a client: connected means "on the
 * reader", closed means "taken away". Every frame is a 2-byte big-endian length and a payload; a
 * 1-byte payload is a control code (0 power off, 1 power on, 2 reset, 4 get ATR), anything
 * longer is an APDU that the card answers.
 *
 * Two kinds of card:
 * - `ntag`: an NTAG213 as an ACR122U-class reader presents it (pseudo-APDUs FF CA for the UID,
 *   FF B0 to read and FF D6 to write 4-byte pages; pages 4–39 are user memory).
 * - `phone`: an ISO 14443-4 device such as a phone with card emulation; it knows no application.
 */
export const VPCD_PORTS = [35963, 35964] as const;

/** What an ACR122U reports for an NTAG21x: PC/SC part 3 storage card, standard 0x03, card name 0x0003. */
export const NTAG_ATR = Buffer.from('3B8F8001804F0CA0000003060300030000000068', 'hex');
/** ISO 14443-4 type A without historical bytes, as readers report phones. */
export const ISO14443_4_ATR = Buffer.from('3B8080010101', 'hex');

export const NTAG213_PAGES = 45;
const FIRST_USER_PAGE = 4;
const LAST_USER_PAGE = 39;

const OK = Buffer.from([0x90, 0x00]);
const FAILED = Buffer.from([0x63, 0x00]);
const NOT_FOUND = Buffer.from([0x6a, 0x82]);
const INS_NOT_SUPPORTED = Buffer.from([0x6d, 0x00]);

export interface VirtualCardOptions {
  kind: 'ntag' | 'phone';
  /** 7 bytes for NTAG, 4 for a phone (random per tap on real phones). */
  uid: Buffer;
  /** User memory to start with, written from page 4. */
  userData?: Buffer;
}

export class VirtualCard {
  readonly kind: VirtualCardOptions['kind'];
  readonly uid: Buffer;
  /** The whole NTAG memory, page 0 first (empty for a phone). */
  readonly memory: Buffer;
  /** APDUs received, as hex, for assertions. */
  readonly apdus: string[] = [];
  private socket: Socket | undefined;
  private buffered = Buffer.alloc(0);

  constructor(opts: VirtualCardOptions) {
    this.kind = opts.kind;
    this.uid = Buffer.from(opts.uid);
    this.memory = Buffer.alloc(opts.kind === 'ntag' ? NTAG213_PAGES * 4 : 0);
    if (opts.kind === 'ntag') {
      if (this.uid.length !== 7) throw new RangeError('an NTAG UID has 7 bytes');
      const u = this.uid;
      // Pages 0-2: UID with its two check bytes (BCC), lock bytes; page 3: NDEF capability container.
      Buffer.from([u[0]!, u[1]!, u[2]!, 0x88 ^ u[0]! ^ u[1]! ^ u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[3]! ^ u[4]! ^ u[5]! ^ u[6]!, 0x48, 0, 0, 0xe1, 0x10, 0x12, 0]).copy(this.memory);
      opts.userData?.copy(this.memory, FIRST_USER_PAGE * 4);
    }
  }

  static ntag(uid: string | Buffer, userData?: Buffer): VirtualCard {
    return new VirtualCard({ kind: 'ntag', uid: typeof uid === 'string' ? Buffer.from(uid, 'hex') : uid, ...(userData ? { userData } : {}) });
  }

  static phone(uid = '08a1b2c3'): VirtualCard {
    return new VirtualCard({ kind: 'phone', uid: Buffer.from(uid, 'hex') });
  }

  get present(): boolean {
    return this.socket !== undefined;
  }

  /** User memory from page 4 on. */
  userData(length = 16): Buffer {
    return Buffer.from(this.memory.subarray(FIRST_USER_PAGE * 4, FIRST_USER_PAGE * 4 + length));
  }

  /** Puts the card on the reader listening on `port`; resolves once the TCP connection stands. */
  insert(port: number = VPCD_PORTS[0], host = '127.0.0.1'): Promise<void> {
    if (this.socket) return Promise.reject(new Error('the card is already on a reader'));
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.connect(port, host, () => {
        socket.off('error', reject);
        // After the connection: a vanished driver must not crash the test process.
        socket.on('error', () => undefined);
        socket.on('close', () => {
          if (this.socket === socket) this.socket = undefined;
        });
        socket.on('data', (chunk) => this.receive(socket, chunk));
        this.socket = socket;
        this.buffered = Buffer.alloc(0);
        resolve();
      });
    });
  }

  /** Takes the card away; resolves when the connection is closed. */
  remove(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private receive(socket: Socket, chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 2) {
      const length = this.buffered.readUInt16BE(0);
      if (this.buffered.length < 2 + length) return;
      const frame = this.buffered.subarray(2, 2 + length);
      this.buffered = this.buffered.subarray(2 + length);
      const answer = length === 1 ? this.control(frame[0]!) : this.apdu(frame);
      if (answer) {
        const out = Buffer.alloc(2 + answer.length);
        out.writeUInt16BE(answer.length, 0);
        answer.copy(out, 2);
        socket.write(out);
      }
    }
  }

  private control(code: number): Buffer | undefined {
    // Power off (0), on (1) and reset (2) need no answer; get ATR (4) does.
    return code === 4 ? (this.kind === 'ntag' ? NTAG_ATR : ISO14443_4_ATR) : undefined;
  }

  private apdu(apdu: Buffer): Buffer {
    this.apdus.push(apdu.toString('hex'));
    const [cla, ins, p1 = 0, p2 = 0, p3 = 0] = apdu;
    if (cla === 0xff && ins === 0xca && p1 === 0x00) return Buffer.concat([this.uid, OK]);
    if (this.kind === 'phone') return cla === 0x00 && ins === 0xa4 ? NOT_FOUND : INS_NOT_SUPPORTED;
    const page = (p1 << 8) | p2;
    if (cla === 0xff && ins === 0xb0) {
      const length = p3 === 0 ? 16 : p3;
      if (page >= NTAG213_PAGES || length > 16) return FAILED;
      // NTAG READ returns 4 pages and wraps around at the end of memory.
      const out = Buffer.alloc(length);
      for (let i = 0; i < length; i++) out[i] = this.memory[(page * 4 + i) % this.memory.length]!;
      return Buffer.concat([out, OK]);
    }
    if (cla === 0xff && ins === 0xd6) {
      if (p3 !== 4 || apdu.length < 9 || page < FIRST_USER_PAGE || page > LAST_USER_PAGE) return FAILED;
      apdu.copy(this.memory, page * 4, 5, 9);
      return OK;
    }
    return INS_NOT_SUPPORTED;
  }
}
