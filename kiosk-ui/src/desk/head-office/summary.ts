import type { RelayStatus, RelayTransportStatus } from '@forecourt/gateway/protocol';

/** The outbox alarm goes at half its cap (the gateway's default `relay.alarmAtPercent`). */
export const OUTBOX_ALARM_SHARE = 0.5;

export type LinkCondition = RelayTransportStatus['state'];

/** Head office in one line: the worst link's state and since when, what waits, what was refused, an outbox near its cap. */
export type HeadOfficeSummary = {
  /** How full the outbox is, once that is worth an alarm (it fills without a head office too). */
  alarmShare: number | undefined;
} & (
  | { state: 'not-configured' }
  | {
      state: LinkCondition;
      since: string;
      /** Events some link has yet to deliver. */
      waiting: number;
      rejected: number;
    }
);

/** How full the outbox is, 0–1 (0 when there is no cap to measure against). */
export const outboxShare = (status: RelayStatus): number => (status.capBytes > 0 ? status.outboxBytes / status.capBytes : 0);

const BADNESS: Record<LinkCondition, number> = { connected: 0, offline: 1, 'circuit-open': 2 };

export function summarize(status: RelayStatus): HeadOfficeSummary {
  // The worst state first; among equals the one that has been so the longest.
  const worst = status.transports.toSorted((a, b) => BADNESS[b.state] - BADNESS[a.state] || a.since.localeCompare(b.since))[0];
  const share = outboxShare(status);
  const alarmShare = share >= OUTBOX_ALARM_SHARE ? share : undefined;
  if (!status.configured || !worst) return { state: 'not-configured', alarmShare };
  return {
    alarmShare,
    state: worst.state,
    since: worst.since,
    waiting: Math.max(...status.transports.map((t) => t.backlog)),
    rejected: status.transports.reduce((sum, t) => sum + t.rejected, 0),
  };
}
