export * from './topics.js';
export * from './i18n.js';
export * from './payloads.js';
export * from './registry.js';
export * from './queue.js';
export * from './queue-api.js';
