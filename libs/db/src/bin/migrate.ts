/**
 * `node --conditions=development --import tsx libs/db/src/bin/migrate.ts`: applies pending migrations with the
 * DPH_PG_* settings (a role that may create roles and schema objects: the stack's admin, or dph_migrator with
 * CREATEROLE in a cluster). Prints one line per applied file and a summary; exits 1 with a reason on failure.
 */
import { isDphError } from '@dph/errors';
import { runMigrations } from '../migrate.js';
import { createClient } from '../pool.js';
import { pgSettingsFromEnv } from '../settings.js';

async function main(): Promise<number> {
  const client = createClient(pgSettingsFromEnv(), { applicationName: 'dph-migrate' });
  await client.connect();
  try {
    const r = await runMigrations(client, { log: (l) => console.log(`[migrate] ${l}`) });
    console.log(`[migrate] done: ${r.applied.length} applied, ${r.alreadyApplied} already applied`);
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const msg = isDphError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    console.error(`[migrate] failed: ${msg}`);
    process.exit(1);
  },
);
