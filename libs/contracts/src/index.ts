export * from './jobs.js';
export * from './messaging.js';
export * from './events.js';
export * from './error-codes.js';
export * from './ports.js';
