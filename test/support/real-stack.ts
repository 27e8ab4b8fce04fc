import { execFileSync } from 'node:child_process';
import { beforeAll, describe } from 'vitest';

/**
 * Tests that need real software from Debian (mosquitto-clients, chromium, ...). Locally they skip
 * with a loud message when it is missing; with FORECOURT_REAL_STACK=required (as .ci/run sets)
 * they fail instead, so CI can never pass by skipping them.
 */
export const REAL_STACK_REQUIRED = process.env['FORECOURT_REAL_STACK'] === 'required';

export function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function describeRealStack(
  title: string,
  needs: { binaries: string[]; debian: string },
  body: () => void,
): void {
  const missing = needs.binaries.filter((b) => !hasBinary(b));
  if (missing.length > 0 && !REAL_STACK_REQUIRED) {
    const line = '!'.repeat(78);
    console.warn(
      `\n${line}\n!! SKIPPED "${title}": missing ${missing.join(', ')}.\n` +
        `!! Install with: apt-get install -y ${needs.debian}   (CI makes these tests mandatory)\n${line}\n`,
    );
    describe.skip(title, body);
    return;
  }
  describe(title, () => {
    beforeAll(() => {
      if (missing.length > 0) {
        throw new Error(`real-stack test "${title}" needs ${missing.join(', ')} (apt-get install -y ${needs.debian})`);
      }
    });
    body();
  });
}
