export * from './model.js';
export { chunkMarkdown } from './chunk.js';
export { estimateTokens } from './token-estimate.js';
export { parseChunkProfiles, profileFor, type ChunkProfiles } from './profiles.js';
