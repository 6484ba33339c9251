import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { requireStack } from '@dph/testkit';
import { withTransaction } from '@dph/db';
import { createScratchDatabase, type ScratchDatabase } from '@dph/db/testing';
import { runCli } from '../program.js';

let db: ScratchDatabase;
before(async () => {
  requireStack();
  db = await createScratchDatabase();
  const w = db.pool('audit-writer');
  await w.query(
    `INSERT INTO audit_events (event_id, event_type, actor, payload) SELECT e, 'routed', 'system:test', '{"queue": "q"}'
       FROM unnest($1::uuid[]) e`,
    [Array.from({ length: 30 }, () => randomUUID())],
  );
});
after(async () => {
  await db?.drop();
});

async function verify(): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(['audit', 'verify'], {
    stdin: process.stdin,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (out += s) },
    env: db.env('admin'),
    setExitCode: () => undefined,
  });
  return { code, out };
}

test('dph audit verify: 0 on an intact chain, 1 and the first broken link after superuser tampering', async () => {
  const ok = await verify();
  assert.equal(ok.code, 0);
  assert.match(ok.out, /intact: 30 rows, last id 30/);
  await withTransaction(db.pool('admin'), async (c) => {
    await c.query('SET LOCAL session_replication_role = replica');
    await c.query(`UPDATE audit_events SET actor = 'someone-else' WHERE id = 12`);
  });
  const broken = await verify();
  assert.equal(broken.code, 1);
  assert.match(broken.out, /BROKEN at id 12 \(event [0-9a-f-]{36}\): hash check failed/);
});
