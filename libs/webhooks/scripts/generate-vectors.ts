// Writes test-vectors/vectors.json from buildVectors(). Run: node --conditions=development --import tsx scripts/generate-vectors.ts
import { writeFileSync } from 'node:fs';
import { buildVectors } from '../src/test-vectors.js';

writeFileSync(new URL('../test-vectors/vectors.json', import.meta.url), JSON.stringify(buildVectors(), null, 2) + '\n');
console.log('wrote test-vectors/vectors.json');
