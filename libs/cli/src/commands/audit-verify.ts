import type { Command } from 'commander';
import { verifyChain } from '@dph/audit';
import { createPool, pgSettingsFromEnv } from '@dph/db';
import type { CliCommand, CliIo } from './types.js';

interface VerifyOpts {
  json?: boolean;
  pageSize: string;
}

/**
 * `dph audit verify`: walks the audit hash chain with the DPH_PG_* settings and reports the first broken link.
 * Exit 0 when the chain is whole, 1 when a link is broken. Use a role that sees every row (the owner or the audit
 * writer): row-level security would hide rows from a scene-scoped role and the chain would look broken.
 */
async function run(o: VerifyOpts, io: CliIo): Promise<void> {
  const pool = createPool(pgSettingsFromEnv(io.env), { max: 1, applicationName: 'dph-audit-verify' });
  try {
    const r = await verifyChain(pool, { pageSize: Number(o.pageSize) });
    if (o.json) {
      io.stdout.write(`${JSON.stringify(r)}\n`);
    } else if (r.ok) {
      io.stdout.write(`audit chain intact: ${r.rowsChecked} rows, last id ${r.lastId}, last hash ${r.lastHash}\n`);
    } else {
      const b = r.firstBreak!;
      io.stdout.write(
        `audit chain BROKEN at id ${b.id}${b.eventId ? ` (event ${b.eventId})` : ''}: ${b.check} check failed ` +
          `(expected ${b.expected}, found ${b.actual}); ${r.rowsChecked} rows verified before it\n`,
      );
    }
    if (!r.ok) io.setExitCode(1);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

export const auditVerify: CliCommand = {
  group: 'audit',
  register(group: Command, io: CliIo) {
    group
      .command('verify')
      .description('verify the audit_events hash chain and report the first broken link')
      .option('--json', 'print the result as one JSON object')
      .option('--page-size <n>', 'rows read per round trip', '5000')
      .action((o: VerifyOpts) => run(o, io));
  },
};
