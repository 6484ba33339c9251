/** A scratch database per test file, with an owner pool and an audit-writer pool (registered before/after hooks). */
import { before, after } from 'node:test';
import { requireStack } from '@dph/testkit';
import type { Pool } from '@dph/db';
import { createScratchDatabase, type ScratchDatabase } from '@dph/db/testing';

export interface ScratchAudit {
  db: ScratchDatabase;
  admin: Pool;
  writer: Pool;
}

export function useScratchAudit(writerPoolSize = 8): ScratchAudit {
  const s = {} as ScratchAudit;
  before(async () => {
    requireStack();
    s.db = await createScratchDatabase();
    s.admin = s.db.pool('admin');
    s.writer = s.db.pool('audit-writer', writerPoolSize);
  });
  after(async () => {
    await s.db?.drop();
  });
  return s;
}
