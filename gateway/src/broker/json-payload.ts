/** A message's payload as JSON; undefined when it is none, for the schema to refuse. */
export function jsonPayload(payload: Buffer | string): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}
