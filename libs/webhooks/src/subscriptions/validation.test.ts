import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateEventFilter, filterMatches } from './event-filter.js';
import { validateCallbackUrl } from './callback-url.js';
import { checkSecretPath, parseSecretRef, formatSecretRef } from './vault-kv.js';

test('event filter: job.* names from the contracts, normalized', () => {
  assert.deepEqual(validateEventFilter(['job.succeeded', 'job.failed', 'job.succeeded']), ['job.failed', 'job.succeeded']);
  assert.deepEqual(validateEventFilter(['job.failed', 'job.*']), ['job.*']);
  assert.deepEqual(validateEventFilter(undefined), ['job.*']);
  assert.throws(() => validateEventFilter([]), /non-empty/);
  assert.throws(() => validateEventFilter(['job.exploded']), /unknown event name/);
  assert.throws(() => validateEventFilter(['audit.pii_hit']), /unknown event name/);
  assert.throws(() => validateEventFilter('job.*'), /array/);
  assert.equal(filterMatches(['job.*'], 'job.queued'), true);
  assert.equal(filterMatches(['job.failed'], 'job.succeeded'), false);
});

test('callback URL: https, no credentials, passes the egress guard', async () => {
  const publicDns = async () => [{ address: '93.184.216.34', family: 4 }];
  const privateDns = async () => [{ address: '192.168.0.10', family: 4 }];
  assert.equal(
    await validateCallbackUrl('https://hooks.example.com/dph#frag', { allowHttp: false, resolveAll: publicDns }),
    'https://hooks.example.com/dph',
  );
  await assert.rejects(validateCallbackUrl('http://hooks.example.com/', { allowHttp: false, resolveAll: publicDns }), /scheme_not_allowed/);
  await assert.rejects(validateCallbackUrl('https://u:p@hooks.example.com/', { allowHttp: false, resolveAll: publicDns }), /credentials_in_url/);
  await assert.rejects(validateCallbackUrl('https://hooks.example.com/', { allowHttp: false, resolveAll: privateDns }), /egress|private/);
  await assert.rejects(validateCallbackUrl('https://[::ffff:10.0.0.1]/', { allowHttp: false }), /ipv4_embedded/);
  await assert.rejects(validateCallbackUrl('x'.repeat(3000), { allowHttp: false }), /2048/);
  assert.equal(
    await validateCallbackUrl('http://127.0.0.1:9/hook', { allowHttp: true, allowCidrs: '127.0.0.0/8' }),
    'http://127.0.0.1:9/hook',
  );
});

test('Vault paths are confined and refs pin a version', () => {
  assert.equal(checkSecretPath('teams/finance/hook-1'), 'teams/finance/hook-1');
  assert.throws(() => checkSecretPath('../sys/raw'), /Vault KV path/);
  assert.throws(() => checkSecretPath('/abs'), /Vault KV path/);
  assert.deepEqual(parseSecretRef(formatSecretRef('a/b', 3)), { path: 'a/b', version: 3 });
  assert.deepEqual(parseSecretRef('a/b'), { path: 'a/b', version: undefined });
});
