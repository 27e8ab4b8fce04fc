import { existsSync } from 'node:fs';

/**
 * How the soak moves the gateway through calendar days: libfaketime (Debian `faketime`), preloaded
 * into each day's gateway process with FAKETIME="@YYYY-MM-DD 07:55:00", so the process's wall
 * clock starts at that store-local moment and then ticks at the normal rate.
 *
 * Why this and not a clock option in the gateway: a fast or settable clock in the product is a
 * knob that can be left on in a store (tickets with tomorrow's numbers, retention deleting a
 * week at once); libfaketime needs nothing in the product and is not there unless preloaded.
 * Everything that reads the time sees the same day: JavaScript's Date and Intl (the business
 * day, retention cut-offs, ISO stamps in SQLite), SQLite's own 'now', and the HTTP Date header,
 * which the soak checks. Only the wall clock moves (FAKETIME_DONT_FAKE_MONOTONIC=1): libuv's
 * timers and performance.now() run on the real monotonic clock, so intervals, time-outs and
 * latencies are real. TZ is the store's time zone, as on a store's box, so the "@…" time is
 * store-local. The multi-threaded library (libfaketimeMT) because node has worker threads.
 */
const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu/faketime', '/usr/lib/aarch64-linux-gnu/faketime', '/usr/lib/faketime'];
const LIBRARY = 'libfaketimeMT.so.1';

/** The preloadable library, or undefined when the `faketime` package is not installed. */
export function fakeTimeLibrary(): string | undefined {
  const override = process.env.FAKETIME_LIB;
  if (override) return existsSync(override) ? override : undefined;
  return LIBRARY_DIRS.map((dir) => `${dir}/${LIBRARY}`).find((path) => existsSync(path));
}

/** The environment of a process whose wall clock starts at `localTime` ("YYYY-MM-DD hh:mm:ss") in `timeZone`. */
export function fakeClockEnv(library: string, localTime: string, timeZone: string): NodeJS.ProcessEnv {
  return {
    LD_PRELOAD: library,
    FAKETIME: `@${localTime}`,
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    TZ: timeZone,
  };
}

/** The calendar date `days` after `date` (YYYY-MM-DD), as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
