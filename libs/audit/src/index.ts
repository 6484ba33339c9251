export * from './canonical.js';
export * from './verify.js';
export * from './red-line.js';
export * from './audit-row.js';
export * from './insert.js';
export * from './queries.js';
export * from './export.js';
export * from './archive.js';
