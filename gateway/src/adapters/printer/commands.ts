// ESC/POS command bytes, shared by the encoder and the emulator's decoder so both speak the same
// dialect. Epson's "ESC/POS Application Programming Guide" names them; Chinese printers (Xprinter,
// Gprinter, Sunmi…) implement the same set plus FS & / FS . for double-byte text.

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const DC4 = 0x14;
export const LF = 0x0a;

/** DLE EOT n: real-time status, answered even while the printer is offline or out of paper. */
export const STATUS_PRINTER = 1;
export const STATUS_OFFLINE_CAUSE = 2;
export const STATUS_PAPER = 4;
/** The three real-time queries the agent asks before each job and while it prints; one byte each comes back, in this order. */
export const STATUS_QUERY = Uint8Array.of(DLE, EOT, STATUS_PRINTER, DLE, EOT, STATUS_OFFLINE_CAUSE, DLE, EOT, STATUS_PAPER);

/**
 * GS r 1: transmit paper sensor status. Processed in order — answered when the printer reaches
 * it in its buffer, after everything before it has printed — and not at all while it is stopped
 * by a paper end. Every ESC/POS printer has it.
 */
export const PAPER_STATUS_REQUEST = Uint8Array.of(GS, 0x72, 1);

/**
 * GS ( H fn=48 m=48 d1…d4: request the process ID response, in order: the printer answers
 * `37 22 d1 d2 d3 d4 00` once the data before it has been printed (Epson TM models and others
 * that say so). Each d is a printable byte, 32–126.
 */
export function processIdRequest(id: string): Uint8Array {
  return Uint8Array.of(GS, 0x28, 0x48, 6, 0, 48, 48, ...Buffer.from(id, 'latin1'));
}

/**
 * DLE DC4 fn=8 with its fixed bytes: a real-time command that clears the receive and print
 * buffers, even while the printer is stopped, and answers `37 25 00` (Epson, Citizen CT-S…).
 */
export const CLEAR_BUFFER = Uint8Array.of(DLE, DC4, 8, 1, 3, 20, 1, 6, 2, 8);

/** The header byte of the block answers (process ID, buffer cleared), then the identifier. */
export const BLOCK_ANSWER = 0x37;
export const PROCESS_ID_ANSWER = 0x22;
export const BUFFER_CLEARED_ANSWER = 0x25;

/** GS ( k function numbers for QR codes (cn = 49). */
export const QR_FN = { model: 65, size: 67, errorLevel: 69, store: 80, print: 81 } as const;
