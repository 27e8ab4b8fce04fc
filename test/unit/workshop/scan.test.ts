import { describe, expect, it } from 'vitest';
import { CARD_VALID_MS, ScanPairing } from '../../../gateway/src/domain/workshop/scan-pairing.js';
import { WorkshopCommand, parseScanCode } from '../../../gateway/src/protocol/index.js';

const T0 = Date.parse('2025-03-01T09:00:00+08:00');
const at = (ms: number) => new Date(T0 + ms);

describe('workshop barcodes', () => {
  it('reads job cards, order cards and actions in any case', () => {
    expect(parseScanCode('250301-007/2')).toEqual({ kind: 'card', order: '250301-007', job: 2 });
    expect(parseScanCode(' 250301-007 ')).toEqual({ kind: 'card', order: '250301-007' });
    expect(parseScanCode('act-pause-parts')).toEqual({ kind: 'action', action: 'PAUSE-PARTS' });
    for (const bad of ['250301-007/0', '250301-07', 'ACT-JUMP', 'hello', '']) expect(parseScanCode(bad)).toBeUndefined();
  });

  it('turns a card and an action into one valid command', () => {
    const pairing = new ScanPairing();
    expect(pairing.read('250301-007/2', at(0))).toEqual({ kind: 'card', card: { order: '250301-007', job: 2 } });
    const step = pairing.read('ACT-PAUSE-APPROVAL', at(1000));
    expect(step).toEqual({ kind: 'command', command: { action: 'job-pause', order: '250301-007', job: 2, reason: 'approval' } });
    if (step.kind === 'command') expect(WorkshopCommand.safeParse(step.command).success).toBe(true);
    // The card is used up: a second action needs a card again.
    expect(pairing.read('ACT-FINISH', at(2000))).toEqual({ kind: 'error', code: 'card-first' });
  });

  it('accepts order-level actions from either card, job actions from job cards only', () => {
    const pairing = new ScanPairing();
    pairing.read('250301-007', at(0));
    expect(pairing.read('ACT-START', at(1))).toMatchObject({ kind: 'error', code: 'needs-job-card' });
    expect(pairing.read('ACT-QC-FAIL', at(2))).toEqual({ kind: 'command', command: { action: 'move', order: '250301-007', to: 'rework' } });
    pairing.read('250301-007/1', at(3));
    expect(pairing.read('ACT-WASHED', at(4))).toEqual({ kind: 'command', command: { action: 'move', order: '250301-007', to: 'settlement' } });
  });

  it('forgets a card after a minute, and a new card replaces the old one', () => {
    const pairing = new ScanPairing();
    pairing.read('250301-001/1', at(0));
    expect(pairing.read('ACT-START', at(CARD_VALID_MS + 1))).toEqual({ kind: 'error', code: 'card-first' });
    pairing.read('250301-001/1', at(0));
    pairing.read('250301-002/3', at(10));
    expect(pairing.read('ACT-RESUME', at(20))).toEqual({ kind: 'command', command: { action: 'job-resume', order: '250301-002', job: 3 } });
    expect(pairing.read('WHAT', at(30))).toEqual({ kind: 'error', code: 'unknown-barcode' });
  });
});
