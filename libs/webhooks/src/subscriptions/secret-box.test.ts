import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSecretBox, parseKey } from './secret-box.js';

test('seal/open round-trips and binds the ciphertext to its row', () => {
  const box = createSecretBox(randomBytes(32));
  const sealed = box.seal('whsec_abc', 'webhook_subscription:1');
  assert.equal(box.open(sealed, 'webhook_subscription:1'), 'whsec_abc');
  assert.doesNotMatch(sealed.ciphertext.toString('latin1'), /whsec_abc/);
  assert.throws(() => box.open(sealed, 'webhook_subscription:2'), /cannot be opened/);
  const flipped = Buffer.from(sealed.ciphertext);
  flipped[flipped.length - 1]! ^= 1;
  assert.throws(() => box.open({ ...sealed, ciphertext: flipped }, 'webhook_subscription:1'), /cannot be opened/);
});

test('a rotated file key still opens secrets sealed with the previous key', () => {
  const oldKey = randomBytes(32);
  const sealed = createSecretBox(oldKey).seal('whsec_old', 'c');
  const box = createSecretBox(randomBytes(32), [oldKey]);
  assert.equal(box.open(sealed, 'c'), 'whsec_old');
  assert.notEqual(box.keyId, sealed.keyId);
});

test('key files may hold raw, hex or base64 keys; anything else is refused', () => {
  const k = randomBytes(32);
  assert.deepEqual(parseKey(k), k);
  assert.deepEqual(parseKey(Buffer.from(k.toString('hex') + '\n')), k);
  assert.deepEqual(parseKey(Buffer.from(k.toString('base64'))), k);
  assert.throws(() => parseKey(Buffer.from('short')), /32-byte key/);
});
