// Test helpers (`@dph/db/testing`): resolved only under the development condition, never built into dist.
export * from './scratch.js';
