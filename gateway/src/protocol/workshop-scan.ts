import type { WorkshopCommand } from './workshop.js';

// The barcodes of the workshop, shared by the gateway (serial scanners) and the bay page
// (keyboard-wedge scanners), so that both turn the same two scans into the same command:
//
//   job card      250301-007/2     reception number / job item (printed on the job card)
//   order card    250301-007       reception number (printed on the work order)
//   action sheet  ACT-START, ACT-PAUSE, ACT-PAUSE-PARTS, ACT-PAUSE-APPROVAL, ACT-RESUME,
//                 ACT-FINISH (job cards), ACT-QC-PASS, ACT-QC-FAIL, ACT-WASHED (either card)
//
// A technician scans a card, then an action within a minute (domain/workshop/scan-pairing.ts). Letters are read in any case:
// a keyboard-wedge scanner types what Caps Lock makes of them.

export const SCAN_ACTIONS = ['START', 'PAUSE', 'PAUSE-PARTS', 'PAUSE-APPROVAL', 'RESUME', 'FINISH', 'QC-PASS', 'QC-FAIL', 'WASHED'] as const;
export type ScanAction = (typeof SCAN_ACTIONS)[number];

export type ScannedCode =
  | { kind: 'card'; order: string; job?: number }
  | { kind: 'action'; action: ScanAction };

const CARD = /^(\d{6}-\d{3})(?:\/(\d{1,2}))?$/;
const ACTION = /^ACT-([A-Z-]+)$/;

/** What a scanned code is, or undefined when it is none of the workshop's barcodes. */
export function parseScanCode(raw: string): ScannedCode | undefined {
  const code = raw.trim().toUpperCase();
  const card = CARD.exec(code);
  if (card?.[1]) {
    const job = card[2] === undefined ? undefined : Number(card[2]);
    if (job === 0) return undefined;
    return job === undefined ? { kind: 'card', order: card[1] } : { kind: 'card', order: card[1], job };
  }
  const action = ACTION.exec(code)?.[1];
  return (SCAN_ACTIONS as readonly string[]).includes(action ?? '') ? { kind: 'action', action: action as ScanAction } : undefined;
}

/** Job card, then action: the command the pair stands for, or why it stands for none. */
export function scanCommand(card: { order: string; job?: number }, action: ScanAction): WorkshopCommand | 'needs-job-card' {
  const { order, job } = card;
  switch (action) {
    case 'QC-PASS':
      return { action: 'move', order, to: 'washing' };
    case 'QC-FAIL':
      return { action: 'move', order, to: 'rework' };
    case 'WASHED':
      return { action: 'move', order, to: 'settlement' };
  }
  if (job === undefined) return 'needs-job-card';
  switch (action) {
    case 'START':
      return { action: 'job-start', order, job };
    case 'PAUSE':
      return { action: 'job-pause', order, job };
    case 'PAUSE-PARTS':
      return { action: 'job-pause', order, job, reason: 'parts' };
    case 'PAUSE-APPROVAL':
      return { action: 'job-pause', order, job, reason: 'approval' };
    case 'RESUME':
      return { action: 'job-resume', order, job };
    case 'FINISH':
      return { action: 'job-finish', order, job };
  }
}
