import type { StatsGrouping } from '@forecourt/gateway/protocol';

export const PRESETS = ['today', 'week', 'month', 'year', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

const DAYS: Record<Exclude<Preset, 'custom'>, number> = { today: 1, week: 7, month: 30, year: 365 };

const addDays = (day: string, n: number) => new Date(Date.parse(day) + n * 86_400_000).toISOString().slice(0, 10);

/** The business days a preset covers, ending with the store's `today`. */
export function presetRange(preset: Exclude<Preset, 'custom'>, today: string): { from: string; to: string } {
  return { from: addDays(today, 1 - DAYS[preset]), to: today };
}

/** The grouping that reads best for a preset: hours for one day, days otherwise. */
export function groupingFor(preset: Preset): StatsGrouping {
  return preset === 'today' ? 'hour' : 'day';
}

/** The calendar date in the store's time zone: a first guess of its business day, until the gateway says. */
export function calendarToday(timeZone: string | undefined, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
