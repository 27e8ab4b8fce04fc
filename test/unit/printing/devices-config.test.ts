import { describe, expect, it } from 'vitest';
import { ConfigSchema, demoEnabled } from '@forecourt/gateway';

const printer = { id: 'printer-1', transport: { type: 'serial', path: '/dev/ttyUSB0' } };
const dispenser = { id: 'dispenser-1', serial: { path: '/dev/ttyUSB1' }, buttons: { '1': 'maintenance' }, printer: 'printer-1' };

describe('devices configuration', () => {
  it('fills defaults: 9100, 115200 baud printers, 9600 baud dispensers, GB18030 80 mm GS ( k', () => {
    const config = ConfigSchema.parse({ devices: { printers: [printer, { id: 'printer-2', transport: { type: 'tcp', host: '10.0.0.5' } }], dispensers: [dispenser] } });
    expect(config.devices.printers[0]).toMatchObject({ transport: { baudRate: 115200 }, profile: { encoding: 'gb18030', width: 80, qr: 'gs-k' } });
    expect(config.devices.printers[1]?.transport).toEqual({ type: 'tcp', host: '10.0.0.5', port: 9100 });
    expect(config.devices.dispensers[0]?.serial?.baudRate).toBe(9600);
  });

  it('printer profiles say how a model proves a job printed; left out, what any ESC/POS printer does', () => {
    const config = ConfigSchema.parse({ devices: { printers: [printer, { ...printer, id: 'printer-2', profile: { confirm: 'gs-h', clearBuffer: true, bufferBytes: 65536 } }] } });
    expect(config.devices.printers[0]?.profile).toEqual({ encoding: 'gb18030', width: 80, qr: 'gs-k' });
    expect(config.devices.printers[1]?.profile).toMatchObject({ confirm: 'gs-h', clearBuffer: true, bufferBytes: 65536 });
    const bad = ConfigSchema.safeParse({ devices: { printers: [{ ...printer, profile: { confirm: 'dle-eot', clearBuffer: 'yes', bufferBytes: 100 } }] } });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining(['devices.printers.0.profile.confirm', 'devices.printers.0.profile.clearBuffer', 'devices.printers.0.profile.bufferBytes']),
    );
  });

  it('a printer or dispenser whose agent runs on another PC needs no line; one the gateway drives does', () => {
    const remote = ConfigSchema.safeParse({ devices: { printers: [{ id: 'printer-1', agent: 'remote' }], dispensers: [{ ...dispenser, agent: 'remote', serial: undefined }] } });
    expect(remote.success).toBe(true);
    const local = ConfigSchema.safeParse({ devices: { printers: [{ id: 'printer-1' }], dispensers: [{ ...dispenser, serial: undefined, printer: 'printer-1' }] } });
    expect(local.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['devices.printers.0.transport']));
    const dispenserOnly = ConfigSchema.safeParse({ devices: { printers: [printer], dispensers: [{ ...dispenser, serial: undefined }] } });
    expect(dispenserOnly.error?.issues.map((i) => i.path.join('.'))).toEqual(['devices.dispensers.0.serial']);
  });

  it('turns the demo off in auto mode once devices are declared', () => {
    expect(demoEnabled(ConfigSchema.parse({}))).toBe(true);
    expect(demoEnabled(ConfigSchema.parse({ devices: { printers: [printer] } }))).toBe(false);
    expect(demoEnabled(ConfigSchema.parse({ demo: true, devices: { printers: [printer] } }))).toBe(true);
  });

  it('reports every mistake with its path', () => {
    const result = ConfigSchema.safeParse({
      devices: {
        printers: [printer, { ...printer, profile: { encoding: 'shift-jis', width: 76 } }],
        dispensers: [{ ...dispenser, printer: 'nope', buttons: { '0': 'maintenance' } }],
        kioskPrinter: 'ghost',
      },
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['devices.printers.1.profile.encoding', 'devices.printers.1.profile.width', 'devices.dispensers.0.buttons.0']),
    );
  });

  it('refuses a dispenser that names no known printer, and duplicate ids', () => {
    const result = ConfigSchema.safeParse({ devices: { printers: [printer, printer], dispensers: [{ ...dispenser, printer: 'nope' }], kioskPrinter: 'ghost' } });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'devices.printers: duplicate device id printer-1',
        'devices.dispensers.0.printer: unknown printer nope',
        'devices.kioskPrinter: unknown printer ghost',
      ]),
    );
  });
});
