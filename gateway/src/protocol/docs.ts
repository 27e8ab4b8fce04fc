import { z } from 'zod';
import { TOPIC_DEFINITIONS, type TopicRule } from './registry.js';
import type { AnySchema } from './schema.js';
import { TOPIC_ROOT } from './topics.js';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
}

/** One line per field: `name` type, with `?` for optional; a payload of several shapes, each. */
function fields(schema: AnySchema): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const shapes = json.properties ? undefined : (json.oneOf ?? json.anyOf);
  return shapes ? shapes.map(shapeFields).join('<br>*or*<br>') : shapeFields(json);
}

function shapeFields(json: JsonSchema): string {
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {})
    .map(([name, prop]) => `\`${name}${required.has(name) ? '' : '?'}\`: ${typeName(prop)}`)
    .join('<br>');
}

function typeName(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(typeName).join(' \\| ');
  if (s.format === 'date-time') return 'ISO 8601 time';
  if (s.type === 'object') return `{${Object.keys(s.properties ?? {}).join(', ')}}`;
  if (s.type === 'array') return `${s.items ? typeName(s.items) : 'any'}[]`;
  return String(s.type ?? 'any');
}

/** Who a topic rule names, for the tables; the gateway itself always may. */
export function who(rule: TopicRule): string {
  const own = rule.own?.length ? [`${rule.own.join(', ')} (own only)`] : [];
  return ['gateway', ...rule.who, ...own].join(', ');
}

export function renderTopicTable(): string {
  const rows = TOPIC_DEFINITIONS.map(
    (d) =>
      `| \`${d.pattern}\` | ${who(d.publish)} | ${who(d.subscribe)} | ${d.retained ? 'yes' : 'no'} | ${fields(d.schema)} | ${d.description} |`,
  );
  return ['| topic | published by | read by | retained | payload (JSON) | notes |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** The whole of firmware-config/TOPICS.md; `npm run docs:topics` writes it, a test keeps it current. */
export function renderTopicsDoc(): string {
  return `# Forecourt MQTT topics

Generated from \`gateway/src/protocol/registry.ts\` by \`npm run docs:topics\`; do not edit by hand.

Every topic lives under \`${TOPIC_ROOT}/{store}/\`, where \`{store}\` is the store id from the
gateway config. Ids (\`{store}\`, \`{device}\`) are lower-case letters, digits and dashes, at most
32 characters. Payloads are UTF-8 JSON objects, at most 64 KiB by default.

The gateway checks every publish against this table. A publish to a topic not listed here, to a
topic only the gateway may publish, or with a payload that does not match, is logged, counted in
\`forecourt_mqtt_invalid_messages_dropped_total\` on \`/metrics\`, dropped, and the sender's
connection is closed (MQTT 3.1.1 has no negative acknowledgement). Firmware should log and back
off when it sees its connection closed right after a publish.

Connect with a client id equal to the device id. Use QoS 1 for state and commands, QoS 0 for
heartbeats. Set the will to your own \`device/{device}/state\` with \`online: false\`, retained.

${renderTopicTable()}
`;
}
