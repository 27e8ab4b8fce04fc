export * from './card-format.js';
export * from './greeting.js';
export * from './mask.js';
export * from './member.js';
export * from './reminders.js';
export * from './store.js';
export * from './tap.js';
export * from './errors.js';
