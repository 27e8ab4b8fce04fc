import type { PrinterTransportConfig } from '../../config/devices.js';
import type { DeviceLink } from './link.js';
import { SerialLink } from './serial.js';
import { TcpLink } from './tcp.js';

/** The link a printer's configuration names. */
export function printerLink(transport: PrinterTransportConfig): DeviceLink {
  return transport.type === 'tcp' ? new TcpLink(transport.host, transport.port) : new SerialLink(transport.path, transport.baudRate);
}
