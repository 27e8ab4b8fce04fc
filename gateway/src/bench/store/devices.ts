/**
 * The store's hardware for `bench:store`, on the real stacks: ticket dispensers (the dispenser
 * simulator) and bay barcode scanners on socat PTY pairs, thermal printers (the printer emulator
 * at a thermal printer's speed) on loopback TCP, and member cards on vsmartcard-vpcd's two
 * virtual readers through pcscd — the gateway serves them all with its own agents, as in a
 * single-box store. Without pcscd or vpcd there are no readers, and the caller says so.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SerialLink } from '../../adapters/printer/serial.js';
import type { z } from 'zod';
import type { DispenserConfig, PrinterConfig } from '../../config/devices.js';
import type { ReaderConfig } from '../../config/readers.js';
import type { ScannerConfig } from '../../config/workshop.js';
import { DispenserSimulator } from '../../tools/dispenser-simulator/dispenser-simulator.js';
import { PrinterEmulator } from '../../tools/printer-emulator/printer-emulator.js';
import { VirtualCard, VPCD_PORTS } from '../../tools/vpcd-card.js';
import { startPcscd, stopPcscd, vpcdMissing } from '../pcscd.js';
import { socatPair } from '../pty.js';
import { BUTTON_OF_SERVICE } from './load.js';

export const DISPENSER_BAUD = 115200;
export const SCANNER_BAUD = 9600;
/** vpcd notices a card leaving at its next poll (bench:tap's pause). */
const SETTLE_MS = 450;
/** A customer holds the card on the reader until the screen reacts, at most this long. */
const HOLD_MS = 3000;

/** The button answers of one dispenser, in order: a press's answer is the next TICKET frame. */
export interface PressAnswer {
  result: string;
  number: string;
}

interface Dispenser {
  id: string;
  printer: string;
  a: string;
  b: string;
  sim?: DispenserSimulator;
  waiting: ((answer: PressAnswer) => void)[];
}

export interface RigSize {
  dispensers: number;
  kioskPrinters: number;
  bays: number;
}

export class DeviceRig {
  readonly printers = new Map<string, PrinterEmulator>();
  private readonly printerPorts = new Map<string, number>();
  private readonly dispensers: Dispenser[] = [];
  private readonly scanners: { id: string; a: string; b: string; link?: SerialLink }[] = [];
  /** The virtual readers, when pcscd and vpcd are there: 0 at kiosk-1, 1 at desk 1. */
  readonly readers: ReaderConfig[] = [];
  /** Why there are no readers (pcscd or vpcd missing, or pcscd would not start). */
  readonly noReaders: string | undefined;
  private readonly cables: ChildProcess[] = [];
  private pcscd: ChildProcess | undefined;
  private readonly readerBusy: Promise<void>[] = [Promise.resolve(), Promise.resolve()];

  private constructor(noReaders: string | undefined) {
    this.noReaders = noReaders;
  }

  /** `readers: false` leaves pcscd alone (it is one per machine: tests that use it must not overlap). */
  static async start(dir: string, size: RigSize, readers = true): Promise<DeviceRig> {
    const rig = new DeviceRig(readers ? vpcdMissing() : 'left out (--no-readers)');
    try {
      const printerIds = [...Array.from({ length: size.dispensers }, (_, i) => `dispenser-printer-${i + 1}`), ...Array.from({ length: size.kioskPrinters }, (_, i) => `kiosk-printer-${i + 1}`)];
      for (const id of printerIds) {
        const emulator = new PrinterEmulator({ encoding: 'gb18030' });
        rig.printerPorts.set(id, await emulator.listenTcp(0));
        rig.printers.set(id, emulator);
      }
      for (let i = 1; i <= size.dispensers; i++) {
        const d: Dispenser = { id: `dispenser-${i}`, printer: `dispenser-printer-${i}`, a: join(dir, `dispenser-${i}-a`), b: join(dir, `dispenser-${i}-b`), waiting: [] };
        rig.cables.push(await socatPair(d.a, d.b));
        rig.dispensers.push(d);
      }
      for (let i = 1; i <= size.bays; i++) {
        const s = { id: `bay-${i}-scanner`, a: join(dir, `scanner-${i}-a`), b: join(dir, `scanner-${i}-b`) };
        rig.cables.push(await socatPair(s.a, s.b));
        rig.scanners.push(s);
      }
      if (!rig.noReaders) await rig.startReaders();
    } catch (err) {
      await rig.close();
      throw err;
    }
    return rig;
  }

  private async startReaders(): Promise<void> {
    try {
      this.pcscd = await startPcscd();
    } catch (err) {
      (this as { noReaders: string | undefined }).noReaders = (err as Error).message;
      return;
    }
    this.readers.push(
      { id: 'kiosk-reader-1', pcscName: 'Virtual PCD 00 00', role: 'kiosk', station: 'kiosk-1', agent: 'gateway' },
      { id: 'desk-reader-1', pcscName: 'Virtual PCD 00 01', role: 'desk', station: '1', agent: 'gateway' },
    );
  }

  /** The devices section and the bays' scanners of the gateway's config. */
  config(): { printers: z.input<typeof PrinterConfig>[]; dispensers: z.input<typeof DispenserConfig>[]; readers: ReaderConfig[]; scanners: z.input<typeof ScannerConfig>[] } {
    const buttons = Object.fromEntries(Object.entries(BUTTON_OF_SERVICE).map(([service, button]) => [String(button), service]));
    return {
      printers: [...this.printerPorts].map(([id, port]) => ({
        id,
        transport: { type: 'tcp', host: '127.0.0.1', port },
        profile: { encoding: 'gb18030', width: 80, qr: 'gs-k', confirm: 'gs-h', clearBuffer: true },
      })),
      dispensers: this.dispensers.map((d) => ({ id: d.id, serial: { path: d.a, baudRate: DISPENSER_BAUD }, buttons, printer: d.printer })),
      readers: this.readers,
      scanners: this.scanners.map((s) => ({ id: s.id, path: s.a, baudRate: SCANNER_BAUD })),
    };
  }

  get dispenserPrinters(): string[] {
    return this.dispensers.map((d) => d.printer);
  }

  /**
   * Plugs the dispensers and scanners in once the gateway runs, and presses each dispenser's
   * first button until a ticket comes out: a dispenser answers "unavailable" until its printer
   * has confirmed once. Returns those warm-up tickets.
   */
  async attach(): Promise<string[]> {
    for (const s of this.scanners) {
      s.link = new SerialLink(s.b, SCANNER_BAUD);
      await s.link.open();
    }
    const warmUp: string[] = [];
    for (const d of this.dispensers) {
      const sim = new DispenserSimulator({ path: d.b, baudRate: DISPENSER_BAUD, buttons: 5 });
      d.sim = sim;
      const hello = new Promise<void>((resolve) => sim.once('hello-ack', () => resolve()));
      sim.on('ticket', (answer: PressAnswer) => d.waiting.shift()?.(answer));
      await sim.start();
      await within(hello, 10_000, `${d.id}: no HELLO answer from the gateway`);
      for (let tries = 0; ; tries++) {
        const answer = await this.press(d.id, 1);
        if (answer.result === 'issued') {
          warmUp.push(answer.number);
          break;
        }
        if (tries === 100) throw new Error(`${d.id}: its printer did not become ready (${answer.result})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return warmUp;
  }

  /** A customer presses a button; resolves with the dispenser's TICKET answer. */
  press(dispenser: string, button: number): Promise<PressAnswer> {
    const d = this.dispensers.find((x) => x.id === dispenser);
    if (!d?.sim) return Promise.reject(new Error(`no dispenser ${dispenser}`));
    const answered = new Promise<PressAnswer>((resolve) => d.waiting.push(resolve));
    void d.sim.press(button);
    return within(answered, 10_000, `${dispenser}: no TICKET answer to button ${button}`);
  }

  /** A bay technician scans a code (the scanner sends it with CR LF). */
  scan(bay: number, code: string): void {
    const link = this.scanners[bay]?.link;
    if (!link) throw new Error(`no scanner at bay ${bay + 1}`);
    link.write(Buffer.from(`${code}\r\n`, 'latin1'));
  }

  /**
   * A member card held on reader `index` until `seen()` (asked as the card goes on) resolves, or
   * HOLD_MS, then taken away; taps on one reader wait for each other, as customers do.
   */
  tap(index: number, card: { uid: string; data: string }, seen: () => Promise<unknown>): Promise<void> {
    const port = VPCD_PORTS[index];
    if (port === undefined || !this.readers[index]) return Promise.reject(new Error(`no reader ${index}`));
    const run = async () => {
      const virtual = VirtualCard.ntag(card.uid, Buffer.from(card.data, 'hex'));
      const shown = seen();
      await virtual.insert(port);
      await Promise.race([shown, new Promise((r) => setTimeout(r, HOLD_MS))]);
      await virtual.remove();
      await new Promise((r) => setTimeout(r, SETTLE_MS));
    };
    const done = (this.readerBusy[index] ?? Promise.resolve()).then(run);
    this.readerBusy[index] = done.catch(() => undefined);
    return done;
  }

  async close(): Promise<void> {
    for (const d of this.dispensers) await d.sim?.stop().catch(() => undefined);
    for (const s of this.scanners) await s.link?.close().catch(() => undefined);
    for (const p of this.printers.values()) await p.close().catch(() => undefined);
    for (const c of this.cables) c.kill('SIGKILL');
    await stopPcscd(this.pcscd);
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]).finally(() => clearTimeout(timer));
}
