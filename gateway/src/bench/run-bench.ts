/** A benchmark's own refusal (its set-up or a check did not hold): reported without a stack. */
export class BenchFailure extends Error {}

/** Runs a benchmark's `main`, then exits 0, or 1 with why (a BenchFailure's message, else the stack). */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${name} failed: ${err instanceof BenchFailure ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
