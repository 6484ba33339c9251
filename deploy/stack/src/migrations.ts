import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { StackError } from './errors.js';
import { commonEnv } from './env.js';
import { step, warn } from './log.js';
import { paths } from './paths.js';
import { pgAdminConfig } from './postgres.js';
import { run } from './proc.js';
import { ALL_ROLES, type Settings } from './settings.js';
import type { Secrets } from './state.js';

const migrateBin = join(paths.root, 'libs', 'db', 'src', 'bin', 'migrate.ts');

/** Applies the versioned SQL through @dph/db's own command, as the admin role (it creates the service roles). */
export function runMigrations(s: Settings, secrets: Secrets): boolean {
  if (!existsSync(migrateBin) || statSync(migrateBin).size === 0) {
    step('migrations: not yet available (libs/db/src/bin/migrate.ts missing)');
    return false;
  }
  step('migrations: applying (libs/db/src/bin/migrate.ts)');
  const env = {
    ...process.env,
    ...commonEnv(s, secrets),
    DPH_PG_USER: s.pgAdminUser,
    DPH_PG_PASSWORD: secrets.pgAdminPassword,
    DPH_LOG_LEVEL: 'warn',
  };
  const r = run(process.execPath, ['--conditions=development', '--import', 'tsx', migrateBin], { env, cwd: paths.root, allowFail: true, timeoutMs: 300_000 });
  if (r.status !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-10).join('\n');
    throw new StackError('stack_migrations_failed', `migrations failed (exit ${r.status})${tail ? `:\n${tail}` : ''}`, 'fix libs/db migrations, then run `npm run stack -- up` again');
  }
  const out = r.stdout.trim();
  if (out) for (const line of out.split('\n').slice(-5)) step(`migrations: ${line}`);
  return true;
}

/** Roles come from the migrations without passwords; the stack gives each its generated one and LOGIN. */
export async function setRolePasswords(s: Settings, secrets: Secrets): Promise<void> {
  const c = new pg.Client(pgAdminConfig(s, secrets));
  await c.connect();
  try {
    const have = new Set((await c.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [ALL_ROLES])).rows.map((r) => r.rolname));
    const missing: string[] = [];
    for (const role of ALL_ROLES) {
      if (!have.has(role)) {
        missing.push(role);
        continue;
      }
      const pw = secrets.rolePasswords[role];
      // Identifiers and literal are ours (fixed role names, hex password), quoted by pg's own escaping anyway.
      await c.query(`ALTER ROLE ${c.escapeIdentifier(role)} LOGIN PASSWORD ${c.escapeLiteral(pw ?? '')}`);
    }
    if (missing.length > 0) warn(`roles not created by the migrations yet: ${missing.join(', ')} (no passwords set for them)`);
    else step(`postgres: passwords set for ${ALL_ROLES.join(', ')}`);
  } finally {
    await c.end();
  }
}
