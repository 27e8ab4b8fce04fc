export * from './duration-buckets.js';
export * from './queue-sums.js';
export * from './ticket-facts.js';
