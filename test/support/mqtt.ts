import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/**
 * Connects an mqtt.js client. Outside demo mode the broker refuses anonymous clients: pass a
 * device's login (`deviceLogin(...)` from identities.ts: client id, username, password) or, over
 * WebSocket, a staff session (`{ clientId: 'staff-…', wsOptions: { headers: { cookie } } }`).
 */
export async function connectClient(url: string, login: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...login });
}

/** Resolves with the next message on `topic` (subscribes first). */
export async function nextMessage(client: MqttClient, topic: string, timeoutMs = 5000): Promise<{ topic: string; payload: Buffer; retain: boolean }> {
  const received = new Promise<{ topic: string; payload: Buffer; retain: boolean }>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    function onMessage(t: string, payload: Buffer, packet: { retain: boolean }): void {
      if (t !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic: t, payload, retain: packet.retain });
    }
    client.on('message', onMessage);
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return received;
}

/** Collects every message on a topic filter until stopped. */
export function collect(client: MqttClient): { messages: { topic: string; payload: string }[] } {
  const bag = { messages: [] as { topic: string; payload: string }[] };
  client.on('message', (topic, payload) => bag.messages.push({ topic, payload: payload.toString() }));
  return bag;
}
