import type { Extension, ExtensionContext } from '../extensions/extension.js';
import type { PrintService } from '../extensions/print-service.js';
import { PrinterEmulator } from '../tools/printer-emulator/printer-emulator.js';

export const DEMO_PRINTER_ID = 'demo-printer';

/**
 * Demo mode's printer: the printer emulator on an ephemeral loopback TCP port, driven by a real
 * PrinterAgent like any configured printer, printing the kiosk's tickets and the desk's slips.
 * The desk's print panel previews what it printed. Its roll holds 40 tickets; then it runs out
 * of paper until a minute after the first page it could not print, so the desk shows the state and the jobs that wait for it.
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
    const emulator = new PrinterEmulator({ encoding: 'gb18030', paperPages: 40 });
    this.emulator = emulator;
    const port = await emulator.listenTcp(0);
    this.printing.addPrinter({ id: DEMO_PRINTER_ID, transport: { type: 'tcp', host: '127.0.0.1', port }, profile: { encoding: 'gb18030', width: 80, qr: 'gs-k' } });
    this.printing.defaults.kiosk ??= DEMO_PRINTER_ID;
    this.printing.defaults.desk ??= DEMO_PRINTER_ID;
    emulator.on('discarded', () => {
      if (this.timer) return;
      this.ctx.log.info('demo printer is out of paper; refilled in 60 s');
      this.timer = setTimeout(() => {
        this.timer = undefined;
        emulator.setPaper(40);
      }, 60_000);
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.emulator?.close();
  }
}
