export * from './secrets.js';
export * from './backoff.js';
