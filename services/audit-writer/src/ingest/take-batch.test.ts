// Unit test of how buffered rows are cut into database batches (the broker-level behaviour is in test/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takeBatch } from './batch-consumer.js';

const rows = (spec: string) => spec.split('').map((msg, i) => ({ msg, i }));

test('a batch never ends inside a message: it runs on to the message end', () => {
  const buffer = rows('aaabbbbbcc');
  assert.deepEqual(takeBatch(buffer, 4).map((r) => r.msg).join(''), 'aaabbbbb');
  assert.deepEqual(buffer.map((r) => r.msg).join(''), 'cc');
  assert.deepEqual(takeBatch(buffer, 4).map((r) => r.msg).join(''), 'cc');
  assert.equal(buffer.length, 0);
});

test('a batch that ends on a message boundary takes exactly its size', () => {
  const buffer = rows('aabbc');
  assert.deepEqual(takeBatch(buffer, 2).map((r) => r.i), [0, 1]);
  assert.deepEqual(takeBatch(buffer, 10).map((r) => r.i), [2, 3, 4]);
  assert.deepEqual(takeBatch([], 3), []);
});
