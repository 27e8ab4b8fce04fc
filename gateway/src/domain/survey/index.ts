export * from './errors.js';
export * from './follow-up.js';
export * from './free-text.js';
export * from './survey-state.js';
