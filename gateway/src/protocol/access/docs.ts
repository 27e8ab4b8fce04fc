import { who } from '../docs.js';
import { TOPIC_DEFINITIONS } from '../registry.js';
import { ROUTE_RULES } from './http-rules.js';
import { STAFF_ROLES } from './principal.js';
import { DEVICE_KINDS } from '../payloads.js';

/** The whole of firmware-config/ACCESS.md; `npm run docs:topics` writes it, a test keeps it current. */
export function renderAccessDoc(): string {
  const routes = ROUTE_RULES.map((r) => {
    const actions = r.actions ? Object.entries(r.actions).map(([a, w]) => `\`${a}\`: ${w.join(', ')}`).join('<br>') : '';
    return `| ${r.method} | \`${r.url}\` | ${r.who.join(', ')} | ${actions} | ${r.note} |`;
  });
  const topics = TOPIC_DEFINITIONS.map((d) => `| \`${d.pattern}\` | ${who(d.publish)} | ${who(d.subscribe)} |`);
  return `# Forecourt access rules

Generated from \`gateway/src/protocol/access/http-rules.ts\` and \`gateway/src/protocol/registry.ts\`
by \`npm run docs:topics\`; do not edit by hand. Anything not listed here is refused (deny by default):
the gateway will not even register an HTTP route without a rule, and the broker refuses a publish or
subscription that no rule allows.

**Principals.** \`public\`: anyone, signed in or not (a phone with a ticket link). Staff roles:
${STAFF_ROLES.map((r) => `\`${r}\``).join(', ')} — signed in by staff number and PIN (cookie) or with
a bearer token. Devices: ${DEVICE_KINDS.map((k) => `\`${k}\``).join(', ')} — screens (kiosk, board,
bay, desk) enrolled by a pairing code approved at the desk, the others provisioned by the installer
(\`npm run devices -- provision\`). The gateway itself publishes and reads every topic.

## HTTP routes

| method | route | who | per action | what |
|---|---|---|---|---|
${routes.join('\n')}

Answers: \`401 {error: {code: "sign-in-required"}}\` without an identity, \`403 {error: {code: "forbidden"}}\`
for an identity the rule does not name, \`403 bad-origin\` for a cookie-authenticated POST from another
origin.

## MQTT topics (below \`forecourt/v1/{store}/\`)

| topic | publish | subscribe |
|---|---|---|
${topics.join('\n')}

\`#\` is refused to everyone but the gateway; \`+\` is accepted for the store level and for a
\`{…}\` level whose rule is not "own".
`;
}
