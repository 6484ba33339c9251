/**
 * Forward-only migrations: libs/db/migrations/NNNN_name.sql applied in version order, each in its own
 * transaction, recorded in schema_migrations with a SHA-256 checksum. A session advisory lock keeps two migrators
 * (two replicas starting at once) from racing; the second waits, then finds nothing to do.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DphError } from '@dph/errors';
import type pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Arbitrary but fixed: 'dphm' as an int4. */
const MIGRATION_LOCK_KEY = 0x6470686d;

export interface MigrationFile {
  version: number;
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE_PATTERN.exec(file);
    if (!m) throw new DphError('migration_invalid', `migration file name not NNNN_name.sql: ${file}`);
    const sql = readFileSync(join(dir, file), 'utf8');
    files.push({
      version: Number(m[1]),
      name: file.replace(/\.sql$/, ''),
      checksum: createHash('sha256').update(sql).digest('hex'),
      sql,
    });
  }
  for (let i = 1; i < files.length; i++) {
    if (files[i]!.version === files[i - 1]!.version) {
      throw new DphError('migration_invalid', `two migrations share version ${files[i]!.version}`);
    }
  }
  return files;
}

type Client = Pick<pg.Client, 'query'>;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Applies pending migrations on `client` (a dedicated connection, not a pool: the advisory lock is per session).
 * Throws when an applied file changed (checksum mismatch) or the database knows a version this code does not.
 */
export async function runMigrations(
  client: Client,
  opts: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrationResult> {
  const log = opts.log ?? (() => undefined);
  const files = readMigrations(opts.dir);
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      applied_by text NOT NULL DEFAULT session_user,
      duration_ms integer NOT NULL
    )`);
    const { rows } = await client.query<AppliedRow>(
      'SELECT version, name, checksum FROM public.schema_migrations ORDER BY version',
    );
    const applied = new Map(rows.map((r) => [r.version, r]));
    const known = new Set(files.map((f) => f.version));
    for (const r of rows) {
      if (!known.has(r.version)) {
        throw new DphError('migration_unknown', `database has migration ${r.name} that this code does not ship`);
      }
    }
    const result: MigrationResult = { applied: [], alreadyApplied: 0 };
    for (const f of files) {
      const done = applied.get(f.version);
      if (done) {
        if (done.checksum !== f.checksum) {
          throw new DphError('migration_checksum_mismatch', `applied migration ${f.name} was changed after it ran`);
        }
        result.alreadyApplied++;
        continue;
      }
      const started = performance.now();
      await client.query('BEGIN');
      try {
        await client.query(f.sql);
        await client.query(
          'INSERT INTO public.schema_migrations (version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)',
          [f.version, f.name, f.checksum, Math.round(performance.now() - started)],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const detail = err instanceof Error ? err.message : 'unknown error';
        throw new DphError('migration_failed', `migration ${f.name} failed: ${detail}`, { cause: err });
      }
      log(`applied ${f.name} (${Math.round(performance.now() - started)} ms)`);
      result.applied.push(f.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  }
}
