import { crc16 } from './crc.js';
import { ETX, HEADER_BYTES, MAX_PAYLOAD, STX } from './protocol.js';

export interface Frame {
  version: number;
  seq: number;
  type: number;
  payload: Buffer;
}

/** Encodes one frame: STX VER SEQ TYPE LEN PAYLOAD CRC16(VER…PAYLOAD, big-endian) ETX. */
export function encodeFrame(frame: Frame): Buffer {
  if (frame.payload.length > MAX_PAYLOAD) throw new RangeError(`payload of ${frame.payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const out = Buffer.alloc(HEADER_BYTES + frame.payload.length + 3);
  out[0] = STX;
  out[1] = frame.version;
  out[2] = frame.seq;
  out[3] = frame.type;
  out[4] = frame.payload.length;
  frame.payload.copy(out, HEADER_BYTES);
  const end = HEADER_BYTES + frame.payload.length;
  out.writeUInt16BE(crc16(out, 1, end), end);
  out[end + 2] = ETX;
  return out;
}
