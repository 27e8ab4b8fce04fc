import type { QueueFigures } from '../../protocol/stats.js';
import { BUCKET_COUNT, bucketOf, emptyBuckets, quantileOf } from './duration-buckets.js';
import type { TicketFact } from './ticket-facts.js';

/** What the statistics add up, for any set of tickets: stored per day, hour, service and desk. */
export interface QueueSums {
  issued: number;
  issuedPeak: number;
  served: number;
  noShows: number;
  walkAways: number;
  unfinished: number;
  transfers: number;
  waitN: number;
  waitSumS: number;
  serviceN: number;
  serviceSumS: number;
  estN: number;
  estAbsErrS: number;
  estErrS: number;
  estInRange: number;
  /** Counts per bucket of duration-buckets.ts. */
  waitBuckets: number[];
  serviceBuckets: number[];
}

/** The three ways a day is stored: per hour of issue, per service, per desk ('' for never called). */
export const STATS_CUTS = ['hour', 'service', 'desk'] as const;
export type StatsCut = (typeof STATS_CUTS)[number];

/** One stored row: a business day's tickets of one hour, service or desk. */
export interface QueueCutKey {
  cut: StatsCut;
  businessDay: string;
  key: string;
}

export type QueueCutRow = QueueCutKey & QueueSums;

export function emptySums(): QueueSums {
  return {
    issued: 0, issuedPeak: 0, served: 0, noShows: 0, walkAways: 0, unfinished: 0, transfers: 0,
    waitN: 0, waitSumS: 0, serviceN: 0, serviceSumS: 0, estN: 0, estAbsErrS: 0, estErrS: 0, estInRange: 0,
    waitBuckets: emptyBuckets(), serviceBuckets: emptyBuckets(),
  };
}

/** Adds `b` into `a`. */
export function addSums(a: QueueSums, b: QueueSums): QueueSums {
  for (const key of Object.keys(a) as (keyof QueueSums)[]) {
    if (key === 'waitBuckets' || key === 'serviceBuckets') continue;
    a[key] += b[key];
  }
  for (let i = 0; i < BUCKET_COUNT; i++) {
    a.waitBuckets[i] = (a.waitBuckets[i] ?? 0) + (b.waitBuckets[i] ?? 0);
    a.serviceBuckets[i] = (a.serviceBuckets[i] ?? 0) + (b.serviceBuckets[i] ?? 0);
  }
  return a;
}

function addFact(sums: QueueSums, fact: TicketFact): void {
  sums.issued += 1;
  if (fact.peak) sums.issuedPeak += 1;
  if (fact.outcome === 'served') sums.served += 1;
  else if (fact.outcome === 'no-show') sums.noShows += 1;
  else if (fact.outcome === 'walk-away') sums.walkAways += 1;
  else sums.unfinished += 1;
  sums.transfers += fact.transfers;
  if (fact.waitS !== null) {
    sums.waitN += 1;
    sums.waitSumS += fact.waitS;
    sums.waitBuckets[bucketOf(fact.waitS)]! += 1;
    if (fact.estimate) {
      const told = fact.estimate.minutes * 60;
      sums.estN += 1;
      sums.estAbsErrS += Math.abs(told - fact.waitS);
      sums.estErrS += told - fact.waitS;
      if (fact.waitS >= fact.estimate.low * 60 && fact.waitS <= fact.estimate.high * 60) sums.estInRange += 1;
    }
  }
  if (fact.serviceS !== null) {
    sums.serviceN += 1;
    sums.serviceSumS += fact.serviceS;
    sums.serviceBuckets[bucketOf(fact.serviceS)]! += 1;
  }
}

/** The key of a ticket in each cut. */
export function cutKey(fact: TicketFact, cut: StatsCut): string {
  return cut === 'hour' ? String(fact.hour) : cut === 'service' ? fact.service : (fact.desk ?? '');
}

/** A day's ticket facts summed three ways, as stored. */
export function cutRows(facts: readonly TicketFact[]): QueueCutRow[] {
  const rows = new Map<string, QueueCutRow>();
  for (const fact of facts) {
    for (const cut of STATS_CUTS) {
      const key: QueueCutKey = { cut, businessDay: fact.businessDay, key: cutKey(fact, cut) };
      const id = `${cut}|${key.businessDay}|${key.key}`;
      let row = rows.get(id);
      if (!row) rows.set(id, (row = { ...key, ...emptySums() }));
      addFact(row, fact);
    }
  }
  return [...rows.values()];
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const rounded = (n: number | null) => (n === null ? null : round1(n));

/** What the manager reads of a sum. */
export function figuresOf(key: string, s: QueueSums): QueueFigures {
  return {
    key,
    issued: s.issued,
    served: s.served,
    noShows: s.noShows,
    walkAways: s.walkAways,
    unfinished: s.unfinished,
    transfers: s.transfers,
    peakShare: s.issued === 0 ? null : s.issuedPeak / s.issued,
    waitP50S: rounded(quantileOf(s.waitBuckets, 0.5)),
    waitP90S: rounded(quantileOf(s.waitBuckets, 0.9)),
    waitMeanS: s.waitN === 0 ? null : round1(s.waitSumS / s.waitN),
    serviceP50S: rounded(quantileOf(s.serviceBuckets, 0.5)),
    serviceP90S: rounded(quantileOf(s.serviceBuckets, 0.9)),
    serviceMeanS: s.serviceN === 0 ? null : round1(s.serviceSumS / s.serviceN),
    estimate: s.estN === 0 ? null : { n: s.estN, maeS: round1(s.estAbsErrS / s.estN), biasS: round1(s.estErrS / s.estN), inRangeShare: s.estInRange / s.estN },
  };
}
