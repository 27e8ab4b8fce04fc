import { z } from 'zod';
import { DeviceId, ServiceCode } from '../protocol/index.js';
import { ReadersConfig } from './readers.js';

/** How a printer is reached: a raw TCP socket (port 9100) or a serial line. */
export const PrinterTransportConfig = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(9100) }).strict(),
  z.object({ type: z.literal('serial'), path: z.string().min(1), baudRate: z.number().int().min(1200).max(921600).default(115200) }).strict(),
]);
export type PrinterTransportConfig = z.infer<typeof PrinterTransportConfig>;

/**
 * What a printer model understands. `encoding`: the double-byte set its Chinese firmware expects
 * (GB18030 for mainland models, Big5 for Taiwan/Hong Kong), or plain ASCII (English only).
 * `qr`: `gs-k` for printers with the Epson QR command, `raster` to print QR codes as an image.
 * The rest says how the printer proves a job printed (README "Printing and ticket dispensers");
 * left out, it is what every ESC/POS printer does, so an unknown printer is safe.
 */
export const PrinterProfile = z
  .object({
    encoding: z.enum(['gb18030', 'big5', 'ascii']).default('gb18030'),
    width: z.union([z.literal(58), z.literal(80)]).default(80),
    qr: z.enum(['gs-k', 'raster']).default('gs-k'),
    /**
     * The in-order request sent after each job: `gs-h` (GS ( H process ID: the answer names the
     * job) on models that have it, `gs-r` (GS r 1 paper sensor status) on any. Default `gs-r`.
     */
    confirm: z.enum(['gs-r', 'gs-h']).optional(),
    /** The model clears its buffers on the real-time DLE DC4 fn=8 (answering 37 25 00). Default false. */
    clearBuffer: z.boolean().optional(),
    /** Its receive buffer in bytes: a job is sent in pieces that fit. Default 4096. */
    bufferBytes: z.number().int().min(512).max(1_048_576).optional(),
  })
  .strict();
export type PrinterProfile = z.infer<typeof PrinterProfile>;

/**
 * Who drives a device: `gateway`, its own agent (the device is on the gateway's machine or
 * network); `remote`, an agent on the PC it is plugged into (`tools/printer-agent.js`,
 * `tools/dispenser-agent.js`), connecting to the broker with the device's credentials. Default `gateway`.
 */
const AgentPlace = z.enum(['gateway', 'remote']).optional();

export const PrinterConfig = z
  .object({
    id: DeviceId,
    agent: AgentPlace,
    /** How the gateway reaches the printer; a remote printer's agent is told on its command line. */
    transport: PrinterTransportConfig.optional(),
    profile: PrinterProfile.prefault({}),
  })
  .strict()
  .refine((p) => p.agent === 'remote' || p.transport !== undefined, { path: ['transport'], message: 'a printer the gateway drives needs a transport' });
export type PrinterConfig = z.infer<typeof PrinterConfig>;

/** A peak-hour ticket dispenser on a serial line (firmware-config/DISPENSER-PROTOCOL.md). */
export const DispenserConfig = z
  .object({
    id: DeviceId,
    agent: AgentPlace,
    /** The dispenser's line when the gateway drives it. */
    serial: z
      .object({ path: z.string().min(1), baudRate: z.number().int().min(1200).max(921600).default(9600) })
      .strict()
      .optional(),
    /** Button number (1-based, as the firmware reports it) → service code. */
    buttons: z.record(z.string().regex(/^([1-9]|1[0-6])$/, 'button 1-16'), ServiceCode),
    /** The printer (from `printers`) that prints this dispenser's tickets. */
    printer: DeviceId,
  })
  .strict()
  .refine((d) => d.agent === 'remote' || d.serial !== undefined, { path: ['serial'], message: 'a dispenser the gateway drives needs a serial line' });
export type DispenserConfig = z.infer<typeof DispenserConfig>;

export const DevicesConfig = z
  .object({
    printers: z.array(PrinterConfig).default([]),
    dispensers: z.array(DispenserConfig).default([]),
    /** NFC member-card readers on PC/SC (config/readers.ts). */
    readers: ReadersConfig,
    /** Printer of the customer kiosk's tickets (a kiosk page may name another with `?printer=`). */
    kioskPrinter: z.optional(DeviceId),
    /** Printer of the reception desk's slips and exit passes. */
    deskPrinter: z.optional(DeviceId),
    /**
     * Base URL of the gateway on the store network, for the QR code on tickets
     * (`{base}/t/{ticketId}`); default `http://{hostname}:{http.port}`.
     */
    publicUrl: z.url().optional(),
  })
  .strict()
  .superRefine((devices, ctx) => {
    const ids = new Set<string>();
    const fail = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const printers = new Set(devices.printers.map((p) => p.id));
    [...devices.printers, ...devices.dispensers].forEach((d, i) => {
      if (ids.has(d.id)) fail([i < devices.printers.length ? 'printers' : 'dispensers'], `duplicate device id ${d.id}`);
      ids.add(d.id);
    });
    devices.dispensers.forEach((d, i) => {
      if (!printers.has(d.printer)) fail(['dispensers', i, 'printer'], `unknown printer ${d.printer}`);
    });
    if (devices.kioskPrinter && !printers.has(devices.kioskPrinter)) fail(['kioskPrinter'], `unknown printer ${devices.kioskPrinter}`);
    if (devices.deskPrinter && !printers.has(devices.deskPrinter)) fail(['deskPrinter'], `unknown printer ${devices.deskPrinter}`);
  });
export type DevicesConfig = z.infer<typeof DevicesConfig>;
