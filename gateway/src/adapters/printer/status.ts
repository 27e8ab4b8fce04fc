/** What a printer's answers to DLE EOT 1, 2 and 4 say. */
export interface PrinterStatus {
  offline: boolean;
  coverOpen: boolean;
  paperOut: boolean;
  paperLow: boolean;
  /** Mechanical or cutter error (DLE EOT 2 bit 6). */
  error: boolean;
}

/** The reason published on the device's state topic, most serious first; undefined when ready. */
export function statusReason(status: PrinterStatus): 'paper-out' | 'cover-open' | 'printer-error' | 'paper-low' | undefined {
  if (status.paperOut) return 'paper-out';
  if (status.coverOpen) return 'cover-open';
  if (status.error || status.offline) return 'printer-error';
  if (status.paperLow) return 'paper-low';
  return undefined;
}

/** True when nothing stops the printer from printing. Real-time answers: they say nothing about a job sent before. */
export function canPrint(status: PrinterStatus): boolean {
  return !status.offline && !status.coverOpen && !status.paperOut && !status.error;
}

/** Every status byte has bit 1 and bit 4 set and bits 0 and 7 clear; anything else is line noise. */
export function isStatusByte(byte: number): boolean {
  return (byte & 0b1001_0011) === 0b0001_0010;
}

/** Parses the three answers of STATUS_QUERY (printer, offline cause, paper sensor). */
export function parseStatus(printer: number, cause: number, paper: number): PrinterStatus {
  return {
    offline: (printer & 0x08) !== 0,
    coverOpen: (cause & 0x04) !== 0,
    error: (cause & 0x40) !== 0,
    paperOut: (paper & 0x60) === 0x60 || (cause & 0x20) !== 0,
    paperLow: (paper & 0x0c) === 0x0c,
  };
}

/** The bytes a printer in this state answers to DLE EOT 1, 2 and 4 (used by the emulator). */
export function encodeStatus(status: PrinterStatus): [number, number, number] {
  const base = 0b0001_0010;
  const stopped = status.offline || status.coverOpen || status.paperOut || status.error;
  return [
    base | (stopped ? 0x08 : 0),
    base | (status.coverOpen ? 0x04 : 0) | (status.paperOut ? 0x20 : 0) | (status.error ? 0x40 : 0),
    base | (status.paperLow || status.paperOut ? 0x0c : 0) | (status.paperOut ? 0x60 : 0),
  ];
}

/**
 * The answer to GS r 1 (paper sensor status, in order): bits 0–1 paper near end, bits 2–3 paper
 * end, the upper four bits 0 — so it never looks like a DLE EOT answer, whose bit 4 is set.
 */
export function isPaperSensorByte(byte: number): boolean {
  return (byte & 0xf0) === 0;
}

/** True when a GS r 1 answer reports the paper end (a printer stopped there should not answer at all). */
export function paperSensorEnd(byte: number): boolean {
  return (byte & 0x0c) !== 0;
}

/** The byte a printer in this state answers to GS r 1 (used by the emulator). */
export function encodePaperSensor(status: PrinterStatus): number {
  return (status.paperLow || status.paperOut ? 0x03 : 0) | (status.paperOut ? 0x0c : 0);
}
