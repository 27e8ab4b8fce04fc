import type { Extension, ExtensionContext } from '../extensions/extension.js';
import type { PrintService } from '../extensions/print-service.js';
import { PrinterEmulator } from '../tools/printer-emulator/printer-emulator.js';

export const DEMO_PRINTER_ID = 'demo-printer';
/** About 40 tickets of paper: the demo's roll runs out now and then, in the middle of a ticket. */
const ROLL_LINES = 1500;
const REFILL_MS = 60_000;

/**
 * Demo mode's printer: the printer emulator on an ephemeral loopback TCP port (4 KB buffer,
 * 150 mm/s, GS ( H and the buffer clear, like an Epson TM), driven by a real PrinterAgent like
 * any configured printer, printing the kiosk's tickets and the desk's slips. The desk's print
 * panel previews what it printed. When the roll runs out, staff "refill" it a minute later, so
 * the desk shows the state, the torn ticket's job waiting, and then its reprint.
 */
export class DemoPrinting implements Extension {
  readonly name = 'demo-printing';
  private emulator: PrinterEmulator | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ExtensionContext,
    private readonly printing: PrintService,
  ) {}

  async start(): Promise<void> {
    const emulator = new PrinterEmulator({ encoding: 'gb18030', paperLines: ROLL_LINES });
    this.emulator = emulator;
    const port = await emulator.listenTcp(0);
    this.printing.addPrinter({
      id: DEMO_PRINTER_ID,
      transport: { type: 'tcp', host: '127.0.0.1', port },
      profile: { encoding: 'gb18030', width: 80, qr: 'gs-k', confirm: 'gs-h', clearBuffer: true },
    });
    this.printing.defaults.kiosk ??= DEMO_PRINTER_ID;
    this.printing.defaults.desk ??= DEMO_PRINTER_ID;
    emulator.on('paper-out', () => {
      if (this.timer) return;
      this.ctx.log.info('demo printer is out of paper; refilled in 60 s');
      this.timer = setTimeout(() => {
        this.timer = undefined;
        emulator.setPaper(ROLL_LINES);
      }, REFILL_MS);
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.emulator?.close();
  }
}
