/**
 * A throwaway database on the stack's Postgres, migrated from scratch. Tests that must tamper with the audit
 * chain or own the whole outbox use one, so the shared database every other test and service uses stays intact.
 */
import { randomBytes } from 'node:crypto';
import { serviceEnv, type StackService } from '@dph/testkit';
import { createClient, createPool, pgSettingsFromEnv, runMigrations, type PgSettings, type Pool } from '../index.js';

export interface ScratchDatabase {
  name: string;
  settings(role: StackService): PgSettings;
  env(role: StackService): Record<string, string>;
  pool(role: StackService, max?: number): Pool;
  drop(): Promise<void>;
}

export async function createScratchDatabase(opts: { migrate?: boolean } = {}): Promise<ScratchDatabase> {
  const name = `dph_scratch_${randomBytes(4).toString('hex')}`;
  const admin = createClient(pgSettingsFromEnv(serviceEnv('admin')));
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const env = (role: StackService) => ({ ...serviceEnv(role), DPH_PG_DATABASE: name });
  const settings = (role: StackService) => pgSettingsFromEnv(env(role));
  if (opts.migrate !== false) {
    const migrator = createClient(settings('admin'));
    await migrator.connect();
    await runMigrations(migrator);
    await migrator.end();
  }
  const pools: Pool[] = [];
  return {
    name,
    env,
    settings,
    pool(role, max = 4) {
      const p = createPool(settings(role), { max });
      pools.push(p);
      return p;
    },
    async drop() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      const c = createClient(pgSettingsFromEnv(serviceEnv('admin')));
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
