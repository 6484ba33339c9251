export * from './model.js';
export { parseDocument, type ParseOptions } from './parse.js';
export { detect, detectText, type Detection, type DetectedKind } from './detect.js';
export { markdownToBlocks, pageMarker, PAGE_MARKER, markdownTable } from './markdown-blocks.js';
export { parseEngineRoutes, type EngineRoutes } from './routes.js';
export { inspectZip, type ZipSummary } from './zip-guard.js';
export type { EngineAdapter, EngineRequest, EngineResult } from './engines/types.js';
export { doclingAdapter, type DoclingOptions } from './engines/docling.js';
export { mineruAdapter, type MineruOptions } from './engines/mineru.js';
