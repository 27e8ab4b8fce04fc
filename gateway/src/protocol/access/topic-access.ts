import { TOPIC_DEFINITIONS, type TopicDefinition, type TopicRule } from '../registry.js';
import { TOPIC_ROOT } from '../topics.js';
import { isNamed, ownValue, type Principal } from './principal.js';

export type AccessDecision = { ok: true } | { ok: false; reason: string };

const ALLOWED: AccessDecision = { ok: true };
const deny = (reason: string): AccessDecision => ({ ok: false, reason });

/** Whether the principal may publish on this concrete topic (payload checks come after). */
export function mayPublish(principal: Principal, topic: string, storeId: string): AccessDecision {
  if (principal.kind === 'gateway') return ALLOWED;
  const levels = topic.split('/');
  if (levels.some((l) => l === '+' || l === '#')) return deny('wildcards in a topic name');
  const rest = belowStore(levels, storeId);
  if (!rest) return deny('outside this store\'s topic tree');
  for (const def of TOPIC_DEFINITIONS) {
    const placeholders = placeholderValues(def, rest);
    if (placeholders) return allowedBy(def.publish, principal, placeholders, 'publish');
  }
  return deny('unknown topic');
}

/**
 * Whether the principal may subscribe to this filter. `+` is accepted at the store level and at a
 * placeholder whose rule is not `own`; `#` never (nobody but the gateway reads the whole tree).
 */
export function maySubscribe(principal: Principal, filter: string, storeId: string): AccessDecision {
  if (principal.kind === 'gateway') return ALLOWED;
  const levels = filter.split('/');
  if (levels.includes('#')) return deny('multi-level wildcard');
  const rest = belowStore(levels, storeId, true);
  if (!rest) return deny('outside this store\'s topic tree');
  for (const def of TOPIC_DEFINITIONS) {
    const placeholders = placeholderValues(def, rest, true);
    if (placeholders) return allowedBy(def.subscribe, principal, placeholders, 'subscribe to');
  }
  return deny('unknown topic');
}

/** The levels below `forecourt/v1/{store}`, when the topic belongs to this store. */
function belowStore(levels: string[], storeId: string, wildcardStore = false): string[] | undefined {
  if (`${levels[0]}/${levels[1]}` !== TOPIC_ROOT) return undefined;
  if (levels[2] !== storeId && !(wildcardStore && levels[2] === '+')) return undefined;
  return levels.slice(3);
}

/** The definition's `{…}` levels with their values when the topic fits its pattern, else undefined. */
function placeholderValues(def: TopicDefinition, rest: string[], allowPlus = false): [string, string][] | undefined {
  const pattern = def.pattern.split('/');
  if (pattern.length !== rest.length) return undefined;
  const values: [string, string][] = [];
  for (const [i, p] of pattern.entries()) {
    const level = rest[i] ?? '';
    if (p.startsWith('{')) values.push([p, level]);
    else if (p !== level) return undefined;
  }
  return allowPlus || !values.some(([, v]) => v === '+') ? values : undefined;
}

function allowedBy(rule: TopicRule, principal: Principal, placeholders: [string, string][], verb: string): AccessDecision {
  if (isNamed(principal, rule.who)) return ALLOWED;
  if (!isNamed(principal, rule.own)) return deny(`may not ${verb} this topic`);
  return placeholders.every(([name, value]) => ownValue(principal, name) === value) ? ALLOWED : deny(`may ${verb} only its own topics`);
}
