// ESC/POS command bytes, shared by the encoder and the emulator's decoder so both speak the same
// dialect. Epson's "ESC/POS Application Programming Guide" names them; Chinese printers (Xprinter,
// Gprinter, Sunmi…) implement the same set plus FS & / FS . for double-byte text.

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

/** DLE EOT n: real-time status, answered even while the printer is offline or out of paper. */
export const STATUS_PRINTER = 1;
export const STATUS_OFFLINE_CAUSE = 2;
export const STATUS_PAPER = 4;
/** The three queries a job is followed by; the answers come back one byte each, in this order. */
export const STATUS_QUERY = Uint8Array.of(DLE, EOT, STATUS_PRINTER, DLE, EOT, STATUS_OFFLINE_CAUSE, DLE, EOT, STATUS_PAPER);

/** GS ( k function numbers for QR codes (cn = 49). */
export const QR_FN = { model: 65, size: 67, errorLevel: 69, store: 80, print: 81 } as const;
