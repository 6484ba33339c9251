import { ConfigError } from '@dph/errors';
import { DEFAULT_CHUNK_OPTIONS, type ChunkOptions } from './model.js';

export type ChunkProfiles = Readonly<Record<string, ChunkOptions>>;

/**
 * Per-scene sizes from `scene:maxChars:overlapChars,...` (the DPH_CHUNK_PROFILES format); the scene `default`
 * applies to scenes that are not listed.
 */
export function parseChunkProfiles(spec: string | undefined, variable = 'DPH_CHUNK_PROFILES'): ChunkProfiles {
  const out: Record<string, ChunkOptions> = { default: { ...DEFAULT_CHUNK_OPTIONS } };
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9][a-z0-9_-]{0,62}):(\d+):(\d+)$/.exec(part);
    if (!m) throw new ConfigError(variable, `"scene:maxChars:overlapChars" entries, got "${part}"`);
    const maxChars = Number(m[2]);
    const overlapChars = Number(m[3]);
    if (maxChars < 16 || overlapChars >= maxChars) throw new ConfigError(variable, `scene ${m[1]}: maxChars >= 16 and overlapChars < maxChars`);
    out[m[1]!] = { maxChars, overlapChars, splitHeadingLevel: 6 };
  }
  return Object.freeze(out);
}

export function profileFor(profiles: ChunkProfiles, scene: string): ChunkOptions {
  return profiles[scene] ?? profiles.default ?? DEFAULT_CHUNK_OPTIONS;
}
