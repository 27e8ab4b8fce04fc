export interface ScannerPort {
  close(): Promise<void>;
}

export interface ScannerPortHandlers {
  line(text: string): void;
  /** The port closed by itself: cable pulled, adapter unplugged, PTY gone. */
  closed(reason: string): void;
}

/**
 * Opens a serial port and splits what arrives into lines (CR, LF or CRLF: scanners differ).
 * serialport is loaded only here, so a gateway without serial scanners never needs its native
 * binding; without it this rejects with a message that says so.
 */
export async function openScannerPort(path: string, baudRate: number, handlers: ScannerPortHandlers): Promise<ScannerPort> {
  let lib: typeof import('serialport');
  try {
    lib = await import('serialport');
  } catch (err) {
    throw new Error(`serial scanners are unavailable: the serialport package could not be loaded (${(err as Error).message})`, { cause: err });
  }
  // hupcl off: DTR/RTS ioctls fail on PTYs, and scanners do not need them.
  const port = new lib.SerialPort({ path, baudRate, autoOpen: false, hupcl: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  let closing = false;
  const lines = port.pipe(new lib.RegexParser({ regex: /[\r\n]+/ }));
  lines.on('data', (line: string) => handlers.line(line));
  port.on('error', () => undefined); // the close event that follows says what matters
  port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
    if (!closing) handlers.closed(err?.disconnected ? 'disconnected' : 'closed');
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        if (port.isOpen) port.close(() => resolve());
        else resolve();
      }),
  };
}
