import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

/** systemd-notify waits this long for systemd to take a message before it gives up. */
const SEND_TIMEOUT_MS = 5000;

/**
 * sd_notify(3) for a Node process, which has no unix datagram sockets: each message is sent by
 * systemd's own `systemd-notify` binary (the unit says NotifyAccess=all, as the sender is a
 * child). It waits until systemd has taken the message (a barrier, systemd 246 and later), so
 * the message is never lost because its sender exited first. One spawn costs about 10 ms and a
 * few ms of CPU (measured in README); the gateway sends one every WatchdogSec/2, READY once,
 * STOPPING once. Chosen over a native module (sd-notify, unix-dgram): nothing to compile at
 * install, and the protocol is spoken by systemd's own code.
 */
export class SystemdNotifier {
  private constructor(
    private readonly socket: string,
    private readonly log: Logger,
  ) {}

  /** A notifier when systemd asked for notifications (NOTIFY_SOCKET), else undefined. */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger): SystemdNotifier | undefined {
    const socket = env['NOTIFY_SOCKET'];
    return socket ? new SystemdNotifier(socket, log) : undefined;
  }

  /** Sends `VARIABLE=value` lines (READY=1, WATCHDOG=1, STATUS=…); false when it could not. */
  send(...assignments: string[]): Promise<boolean> {
    return new Promise((resolve) => {
      execFile('systemd-notify', assignments, { env: { NOTIFY_SOCKET: this.socket }, timeout: SEND_TIMEOUT_MS }, (err, _stdout, stderr) => {
        if (err) this.log.warn({ err: err.message, stderr: stderr.trim(), sent: assignments }, 'systemd-notify failed');
        resolve(!err);
      });
    });
  }
}
