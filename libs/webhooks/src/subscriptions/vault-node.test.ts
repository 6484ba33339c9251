// The node-vault adapter against a loopback stand-in of Vault's KV v2 HTTP API (no Vault server is available
// here): it proves the request paths, the token header, version pinning and the rotation write, not Vault itself.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeVault } from './vault-node.js';
import { openStoredSecret, referenceVaultSecret, storeNewSecret } from './secrets.js';
import { generateSecret } from '../secret.js';

const versions = new Map<string, string[]>();
const seen: string[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push(`${req.method} ${req.url} token=${req.headers['x-vault-token'] === 't0ken' ? 'ok' : 'missing'}`);
    const url = new URL(req.url!, 'http://x');
    const m = /^\/v1\/secret\/data\/(.+)$/.exec(url.pathname);
    if (!m || req.headers['x-vault-token'] !== 't0ken') return res.writeHead(403).end('{}');
    const path = m[1]!;
    if (req.method === 'POST' || req.method === 'PUT') {
      const list = versions.get(path) ?? [];
      list.push(JSON.parse(Buffer.concat(chunks).toString()).data.secret);
      versions.set(path, list);
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { version: list.length } }));
    }
    const list = versions.get(path);
    const v = Number(url.searchParams.get('version') ?? list?.length ?? 0);
    const secret = list?.[v - 1];
    if (!secret) return res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { data: { secret }, metadata: { version: v } } }));
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(() => server.close());
const vault = createNodeVault({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't0ken' });

test('a secretId names a Vault path; the version in use is pinned, rotation writes a new version', async () => {
  const operatorSecret = generateSecret();
  await vault.write('teams/fin/hook', operatorSecret);
  const stored = await referenceVaultSecret({ vault }, 'teams/fin/hook');
  assert.equal(stored.ref, 'teams/fin/hook@1');
  const rotated = await storeNewSecret({ vault }, { scene: 'fin', id: 'x', aad: 'a' }, stored.ref);
  assert.equal(rotated.stored.ref, 'teams/fin/hook@2');
  assert.equal(await openStoredSecret({ vault }, stored, 'a'), operatorSecret);
  assert.equal(await openStoredSecret({ vault }, rotated.stored, 'a'), rotated.secret);
  assert.ok(seen.every((s) => s.endsWith('token=ok')));
  assert.ok(seen.some((s) => s.startsWith('GET /v1/secret/data/teams/fin/hook?version=1')));
});

test('a Vault secret that is not whsec_ is refused; a missing one is an unavailable error without details', async () => {
  await vault.write('teams/fin/bad', 'hunter2');
  await assert.rejects(referenceVaultSecret({ vault }, 'teams/fin/bad'), /whsec_/);
  await assert.rejects(vault.read('teams/none'), (e: unknown) => (e as { code?: string }).code === 'webhook_secret_unavailable' && !/teams/.test((e as Error).message));
});

test('without secretId the product generates the secret and writes it under its own path', async () => {
  const r = await storeNewSecret({ vault }, { scene: 'fin', id: '1234', aad: 'a' });
  assert.equal(r.stored.ref, 'dph/webhooks/fin/1234@1');
  assert.equal(versions.get('dph/webhooks/fin/1234')?.[0], r.secret);
});
