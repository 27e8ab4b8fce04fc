import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupStatus } from '@forecourt/gateway/protocol';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { gatewayWithChromium, signedInDesk } from '../support/browser.js';
import type { TestGateway } from '../support/gateway.js';
import { describeRealStack } from '../support/real-stack.js';

// A failed backup at the desk: the gateway's backup folder is a file, so the backup it owes at
// start fails; a manager's desk says so (why, when) with "Back up now", a receptionist's does
// not; once the folder is fixed, "Back up now" makes a checked copy and the warning goes.

const CHROMIUM = { binaries: ['chromium'], debian: 'chromium fonts-noto-cjk' };
const place = mkdtempSync(join(tmpdir(), 'forecourt-backup-desk-'));
const blocker = join(place, 'usb-disk');
writeFileSync(blocker, 'a file where the backup folder should be');
const folder = join(blocker, 'forecourt');

async function backups(gw: TestGateway): Promise<BackupStatus> {
  const res = await fetch(`${gw.httpUrl}/api/backups`, { headers: gw.admin });
  return BackupStatus.parse(await res.json());
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.setDefaultTimeout(10_000);
  return errors;
}

describeRealStack('backups at the desk', CHROMIUM, () => {
  const env = gatewayWithChromium({ configure: (config) => (config.backup.folder = folder) });

  describe('a failed backup', () => {
    it('warns a manager with the reason and the time, and "Back up now" clears it once the folder is fixed', async () => {
      await expect.poll(async () => (await backups(env.gw)).last?.ok).toBe(false);
      const failed = (await backups(env.gw)).last!;
      expect(failed.error?.code).toBe('folder-unavailable');

      const page = await signedInDesk(env.browser, env.gw, { role: 'manager' });
      const errors = watchErrors(page);
      await page.goto(`${env.gw.httpUrl}/desk/`);
      await page.waitForSelector('[data-testid=backup-alert][data-concern=failed]');
      const time = new Intl.DateTimeFormat('zh-Hans', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: env.gw.config.store.timeZone }).format(new Date(failed.at));
      expect(await page.textContent('[data-testid=backup-alert-text]')).toContain(`上次备份失败（`);
      expect(await page.textContent('[data-testid=backup-alert-text]')).toContain(`${time}）：无法写入备份文件夹`);
      expect(await page.textContent('[data-testid=backup-alert-detail]')).toContain(folder);

      // Pressed while the folder is still a file: the answer says why, and the warning stays.
      await page.click('[data-testid=backup-now]');
      await expect.poll(() => page.textContent('[data-testid=backup-result]')).toBe('备份失败：无法写入备份文件夹');
      expect(await page.$('[data-testid=backup-alert][data-concern=failed]')).not.toBeNull();

      rmSync(blocker);
      await page.click('[data-testid=backup-now]');
      await expect.poll(() => page.textContent('[data-testid=backup-result]')).toMatch(/^已备份并校验：forecourt-\d{4}-\d{2}-\d{2}T\d{6}\+0800\.sqlite（[\d.]+ ?MB）$/);
      await page.waitForSelector('[data-testid=backup-alert-text]', { state: 'detached' });
      expect(readdirSync(folder)).toHaveLength(1);
      expect((await backups(env.gw)).last?.ok).toBe(true);

      // The panel lists the copy kept and the last result; its button backs up again.
      await page.click('[data-testid=backup-panel] summary');
      await expect.poll(() => page.textContent('[data-testid=backup-last]')).toMatch(/^上次备份：.*，成功$/);
      expect(await page.textContent('[data-testid=backup-file]')).toContain('每日');
      await page.click('[data-testid=backup-panel-now]');
      await expect.poll(() => page.textContent('[data-testid=backup-panel-result]')).toMatch(/^已备份并校验：/);
      expect(errors).toEqual([]);
    });

    it('says nothing to a receptionist', async () => {
      const page = await signedInDesk(env.browser, env.gw, { role: 'receptionist', desk: '1' });
      const asked: string[] = [];
      page.on('request', (req) => asked.push(new URL(req.url()).pathname));
      await page.goto(`${env.gw.httpUrl}/desk/`);
      // Signed in and polling what a receptionist sees (head office); the backups are not among it.
      await page.waitForSelector('[data-testid=head-office-line]');
      expect(asked).toContain('/api/relay/status');
      expect(asked).not.toContain('/api/backups');
      expect(await page.$('[data-testid=backup-alert]')).toBeNull();
      expect(await page.$('[data-testid=backup-panel]')).toBeNull();
    });
  });
});
