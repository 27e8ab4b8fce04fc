/**
 * How a device agent proves itself to the store broker: username = its device id, password = its
 * token (`npm run devices -- provision`, or credentials the gateway makes for its in-process agents).
 */
export interface MqttLogin {
  username: string;
  password: string;
}

/** The login of each device id an agent runs. */
export type LoginFor = (deviceId: string) => MqttLogin | undefined;

/** Connect options of a device: client id = device id, and its login when it has one. */
export function deviceConnectOptions(id: string, loginFor: LoginFor | undefined): { clientId: string; username?: string; password?: string } {
  const login = loginFor?.(id);
  return { clientId: id, ...(login ? { username: login.username, password: login.password } : {}) };
}
