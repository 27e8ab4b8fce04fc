import type { Gateway, StaffRole } from '@forecourt/gateway';
import type { DeviceKind, EnrolPollAnswer, EnrolTicket, ScreenKind } from '@forecourt/gateway/protocol';

const INSTALLER = { actor: 'test', role: null, via: 'test' };

/** A bearer token of a staff role, made in the running gateway (as `npm run staff -- token` would). */
export function staffToken(gateway: Gateway, role: StaffRole, name = `test ${role}`): string {
  return gateway.identity.issueStaffToken({ name, role }, INSTALLER);
}

/** A device's token (as `npm run devices -- provision` or an approved pairing gives it). */
export function deviceToken(gateway: Gateway, id: string, kind: DeviceKind, station?: string): string {
  return gateway.identity.provisionDevice({ id, kind, station }, INSTALLER);
}

/** MQTT connect options of a provisioned device: username and client id are its id. */
export function deviceLogin(gateway: Gateway, id: string, kind: DeviceKind, station?: string): { clientId: string; username: string; password: string } {
  return { clientId: id, username: id, password: deviceToken(gateway, id, kind, station) };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Signs a staff member in with a PIN; the session cookie to send as `cookie`. */
export async function signIn(httpUrl: string, staffNo: string, pin: string, desk?: string): Promise<{ status: number; cookie: string | undefined; body: unknown }> {
  const res = await fetch(`${httpUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ staffNo, pin, ...(desk ? { desk } : {}) }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  return { status: res.status, cookie, body: await res.json() };
}

/**
 * Enrols a screen the way a browser does over HTTP (useful against a gateway in another process):
 * asks for a pairing code, has it approved by `approver` (staff headers; not needed in demo mode,
 * where the gateway approves at once), and collects the token. Returns the MQTT login too.
 */
export async function enrolScreen(
  httpUrl: string,
  kind: ScreenKind,
  approver?: Record<string, string>,
): Promise<{ id: string; token: string; login: { clientId: string; username: string; password: string } }> {
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> => {
    const res = await fetch(`${httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const ticket = (await post('/api/enrol/requests', { kind })) as EnrolTicket;
  if (approver) await post('/api/enrol/approve', { code: ticket.code, name: `test ${kind}`, kind }, approver);
  const answer = (await post(`/api/enrol/requests/${ticket.requestId}/poll`, { pollToken: ticket.pollToken })) as EnrolPollAnswer;
  if (answer.state !== 'approved') throw new Error(`enrolment of a ${kind} screen: ${answer.state}`);
  const { id } = answer.device;
  return { id, token: answer.token, login: { clientId: id, username: id, password: answer.token } };
}
