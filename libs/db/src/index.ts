export * from './settings.js';
export * from './pool.js';
export * from './query.js';
export * from './transaction.js';
export * from './health.js';
export * from './migrate.js';
export * from './outbox/index.js';
