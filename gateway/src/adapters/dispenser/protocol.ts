// The serial protocol of a peak-hour ticket dispenser, version 1. The contract for firmware
// writers is firmware-config/DISPENSER-PROTOCOL.md; these constants are its single source.

export const STX = 0x02;
export const ETX = 0x03;
/** STX VER SEQ TYPE LEN … CRC_HI CRC_LO ETX */
export const HEADER_BYTES = 5;
export const TRAILER_BYTES = 3;
export const MAX_PAYLOAD = 64;
export const MAX_FRAME = HEADER_BYTES + MAX_PAYLOAD + TRAILER_BYTES;

/** Protocol versions this gateway speaks; HELLO negotiates the highest both sides know. */
export const SUPPORTED_VERSIONS = { min: 1, max: 1 } as const;

export const MSG = {
  // dispenser → gateway
  HELLO: 0x01,
  BUTTON: 0x02,
  HEARTBEAT: 0x03,
  STATUS: 0x04,
  // gateway → dispenser
  HELLO_REQUEST: 0x80,
  HELLO_ACK: 0x81,
  TICKET: 0x82,
  COUNTS: 0x83,
  // both ways
  ACK: 0x06,
  NAK: 0x15,
} as const;
export type MessageType = (typeof MSG)[keyof typeof MSG];

/** Types the receiver acknowledges; heartbeats are not (the next one follows), nor ACK/NAK. */
export function needsAck(type: number): boolean {
  return type !== MSG.ACK && type !== MSG.NAK && type !== MSG.HEARTBEAT;
}

/** The dispenser's own condition (HEARTBEAT and STATUS), as codes on the wire. */
export const DISPENSER_CONDITIONS = ['ok', 'paper-low', 'paper-out', 'paper-jam', 'cover-open', 'button-stuck'] as const;
export type DispenserCondition = (typeof DISPENSER_CONDITIONS)[number];

/** Outcome of a button press, in the TICKET answer. */
export const TICKET_RESULTS = ['issued', 'unavailable', 'day-full', 'unknown-button', 'error'] as const;
export type TicketResult = (typeof TICKET_RESULTS)[number];

export const NAK_REASONS = { 'unknown-type': 1, 'bad-payload': 2, 'unsupported-version': 3 } as const;
export type NakReason = keyof typeof NAK_REASONS;

/** Timing both sides follow (ms). */
export const TIMING = {
  /** The dispenser sends HEARTBEAT this often. */
  heartbeatMs: 1000,
  /** Silence after which the gateway reports the dispenser offline. */
  offlineAfterMs: 3500,
  /** An unacknowledged frame is sent again after this plus its time on the wire… */
  ackTimeoutMs: 250,
  /** …at most this many times more. */
  retries: 3,
  /** A frame whose bytes stop arriving for this long (plus 4 byte-times) is truncated. */
  interByteMs: 50,
  /** The gateway sends COUNTS at least this often (the dispenser's "gateway alive" signal). */
  countsEveryMs: 10_000,
} as const;
