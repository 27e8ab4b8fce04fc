/**
 * A byte link to a device: a TCP socket or a serial line. `open` may be called again after a
 * close (cable pulled, printer restarted); listeners survive reopening.
 */
export interface DeviceLink {
  readonly description: string;
  /** Bytes per second the line carries (serial: baud / 10); undefined when it is fast (TCP). */
  readonly bytesPerSecond: number | undefined;
  readonly isOpen: boolean;
  open(): Promise<void>;
  /**
   * Hands bytes to the OS. Never awaits the far end: a serial write to a vanished peer neither
   * fails nor calls back (FIELD-NOTES), so only an answer from the device proves delivery.
   */
  write(bytes: Uint8Array): void;
  /** Drops bytes still waiting to go out, so a job that timed out is not printed later as well. */
  discardOutput(): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  /** Called when the link closes by itself (not on `close()`), with the reason. */
  onClose(listener: (reason: string) => void): void;
  close(): Promise<void>;
}
