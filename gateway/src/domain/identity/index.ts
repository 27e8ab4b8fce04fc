export * from './secrets.js';
export * from './backoff.js';
export * from './staff-card.js';
export * from './staff-tap.js';
