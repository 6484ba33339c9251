import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireStack } from '@dph/testkit';
import { createClient, MIGRATIONS_DIR, runMigrations } from '../src/index.js';
import { createScratchDatabase, type ScratchDatabase } from '../src/testing/index.js';

let db: ScratchDatabase;
before(async () => {
  requireStack();
  db = await createScratchDatabase();
});
after(async () => {
  await db?.drop();
});

/** Everything a migration can change, as one comparable text. */
async function schemaFingerprint(): Promise<string> {
  const c = createClient(db.settings('admin'));
  await c.connect();
  try {
    const queries = [
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
                WHERE table_schema = 'public' ORDER BY 1, 2`,
      `SELECT tablename, policyname, roles::text, cmd, qual, with_check FROM pg_policies ORDER BY 1, 2`,
      `SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2`,
      `SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants
                WHERE table_schema = 'public' ORDER BY 1, 2, 3`,
      `SELECT version, checksum, applied_at FROM schema_migrations ORDER BY 1`,
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`,
    ];
    const parts: unknown[] = [];
    for (const q of queries) parts.push((await c.query(q)).rows);
    return JSON.stringify(parts);
  } finally {
    await c.end();
  }
}

test('a second run applies nothing and changes nothing', async () => {
  const before = await schemaFingerprint();
  const c = createClient(db.settings('admin'));
  await c.connect();
  const r = await runMigrations(c);
  await c.end();
  assert.deepEqual(r.applied, []);
  assert.ok(r.alreadyApplied >= 4);
  assert.equal(await schemaFingerprint(), before);
});

test('two migrators racing on an empty database: one applies everything, the other nothing', async () => {
  const fresh = await createScratchDatabase({ migrate: false });
  try {
    const a = createClient(fresh.settings('admin'));
    const b = createClient(fresh.settings('admin'));
    await Promise.all([a.connect(), b.connect()]);
    const [ra, rb] = await Promise.all([runMigrations(a), runMigrations(b)]);
    await Promise.all([a.end(), b.end()]);
    const counts = [ra.applied.length, rb.applied.length].sort();
    assert.equal(counts[0], 0);
    assert.ok(counts[1]! >= 4);
  } finally {
    await fresh.drop();
  }
});

test('an applied file that changed is refused, and so is a version the code does not ship', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dph-mig-'));
  try {
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const f = join(dir, '0002_core_tables.sql');
    writeFileSync(f, readFileSync(f, 'utf8') + '\n-- edited\n');
    const c = createClient(db.settings('admin'));
    await c.connect();
    await assert.rejects(runMigrations(c, { dir }), (e: { code?: string }) => e.code === 'migration_checksum_mismatch');
    rmSync(f);
    cpSync(join(MIGRATIONS_DIR, '0002_core_tables.sql'), f);
    rmSync(join(dir, '0004_security.sql'));
    await assert.rejects(runMigrations(c, { dir }), (e: { code?: string }) => e.code === 'migration_unknown');
    await c.end();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing migration rolls back entirely and is not recorded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dph-mig-'));
  try {
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    writeFileSync(join(dir, '9999_broken.sql'), 'CREATE TABLE public.half_done (x int);\nSELECT no_such_function();\n');
    const c = createClient(db.settings('admin'));
    await c.connect();
    await assert.rejects(runMigrations(c, { dir }), (e: { code?: string }) => e.code === 'migration_failed');
    const t = await c.query("SELECT to_regclass('public.half_done') AS t");
    const v = await c.query('SELECT 1 FROM schema_migrations WHERE version = 9999');
    await c.end();
    assert.equal(t.rows[0].t, null);
    assert.equal(v.rowCount, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('roles exist without LOGIN rights granted by the migrations, and own nothing but the migrator', async () => {
  const c = createClient(db.settings('admin'));
  await c.connect();
  const owners = await c.query(
    `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`,
  );
  const roles = await c.query(
    `SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname LIKE 'dph\\_%' AND rolname <> 'dph_admin' ORDER BY 1`,
  );
  await c.end();
  assert.deepEqual(owners.rows.map((r) => r.tableowner), ['dph_migrator']);
  assert.deepEqual(
    roles.rows.map((r) => r.rolname),
    ['dph_api', 'dph_audit_writer', 'dph_dispatcher', 'dph_migrator', 'dph_worker'],
  );
  assert.ok(roles.rows.every((r) => !r.rolsuper && !r.rolbypassrls));
});
