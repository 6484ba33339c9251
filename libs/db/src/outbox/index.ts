export * from './enqueue.js';
export * from './relay.js';
export * from './maintenance.js';
