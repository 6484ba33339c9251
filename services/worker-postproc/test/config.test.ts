// The worker's own settings: engine routes and chunk profiles are checked at start-up, naming the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runToExit } from '@dph/lifecycle/testing';
import { requireStack, serviceEnv } from '@dph/testkit';
import { loadSettings } from '../src/config.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

test('an engine route without that engine configured stops start-up, naming DPH_ENGINE_ROUTES', async () => {
  requireStack();
  const r = await runToExit(main, { ...serviceEnv('worker-postproc'), DPH_ENGINE_ROUTES: 'pdf-scan:docling' });
  assert.equal(r.code, 1);
  assert.match(r.stderr.trim(), /^config error: DPH_ENGINE_ROUTES: unknown engine "docling"/);
});

test('a bad chunk profile stops start-up, naming DPH_CHUNK_PROFILES', async () => {
  requireStack();
  const r = await runToExit(main, { ...serviceEnv('worker-postproc'), DPH_CHUNK_PROFILES: 'legal:10:20' });
  assert.equal(r.code, 1);
  assert.match(r.stderr.trim(), /^config error: DPH_CHUNK_PROFILES:/);
});

test('settings: zone, classifications, routes and profiles come through', () => {
  requireStack();
  const s = loadSettings({
    ...serviceEnv('worker-postproc'),
    DPH_WORKER_ZONE: 'secure', DPH_WORKER_CLASSIFICATIONS: 'restricted', DPH_DOCLING_URL: 'http://docling:5001',
    DPH_ENGINE_ROUTES: 'pdf-scan:docling,docx:builtin', DPH_CHUNK_PROFILES: 'legal:3000:300', DPH_WORKER_CONSUME_UNROUTED: 'false',
  }).worker;
  assert.equal(s.zone, 'secure');
  assert.deepEqual(s.classifications, ['restricted']);
  assert.deepEqual(s.engineRoutes, { 'pdf-scan': 'docling', docx: 'builtin' });
  assert.equal(s.chunkProfiles.legal?.maxChars, 3000);
  assert.equal(s.consumeUnrouted, false);
});
