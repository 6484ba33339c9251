/**
 * Walks the chain in id order and reports the first broken link. Checks per row: the id follows the previous one
 * without a gap (a deleted row), prev_hash equals the previous row's hash (a re-linked or inserted row), and the
 * hash equals SHA-256 of the canonical text recomputed here (an edited row). At the end the stored chain head
 * must name the last row (rows removed from the end). Runs in one REPEATABLE READ snapshot, so writers may keep
 * appending meanwhile.
 *
 * Run it with a role that sees every row (the owner, or the audit writer with no scene set): under the API role
 * row-level security hides other scenes and the chain would look broken.
 */
import { withTransaction, type Pool } from '@dph/db';
import { AUDIT_ROW_TEXT_COLUMNS, GENESIS_HASH, auditRowHash, type AuditRowText } from './canonical.js';

export type ChainCheck = 'sequence' | 'prev_hash' | 'hash' | 'head';

export interface ChainBreak {
  check: ChainCheck;
  /** Row id where the check failed (for 'head': the last row seen, or '0' when the table is empty). */
  id: string;
  eventId: string | null;
  expected: string;
  actual: string;
}

export interface VerifyResult {
  ok: boolean;
  rowsChecked: number;
  lastId: string;
  lastHash: string;
  firstBreak?: ChainBreak;
}

export interface VerifyOptions {
  pageSize?: number;
  onProgress?: (rowsChecked: number) => void;
}

type Row = AuditRowText & { hash: string };

export async function verifyChain(pool: Pool, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = opts.pageSize ?? 5_000;
  return withTransaction(
    pool,
    async (client) => {
      let prevId = 0n;
      let prevHash = GENESIS_HASH;
      let checked = 0;
      const result = (firstBreak?: ChainBreak): VerifyResult => ({
        ok: firstBreak === undefined,
        rowsChecked: checked,
        lastId: prevId.toString(),
        lastHash: prevHash,
        ...(firstBreak ? { firstBreak } : {}),
      });
      for (;;) {
        const { rows } = await client.query<Row>(
          `SELECT ${AUDIT_ROW_TEXT_COLUMNS} FROM public.audit_events a WHERE a.id > $1 ORDER BY a.id LIMIT $2`,
          [prevId.toString(), pageSize],
        );
        for (const r of rows) {
          const id = BigInt(r.id);
          if (id !== prevId + 1n) {
            return result({ check: 'sequence', id: r.id, eventId: r.event_id, expected: (prevId + 1n).toString(), actual: r.id });
          }
          if (r.prev_hash !== prevHash) {
            return result({ check: 'prev_hash', id: r.id, eventId: r.event_id, expected: prevHash, actual: r.prev_hash });
          }
          const recomputed = auditRowHash(r);
          if (recomputed !== r.hash) {
            return result({ check: 'hash', id: r.id, eventId: r.event_id, expected: recomputed, actual: r.hash });
          }
          prevId = id;
          prevHash = r.hash;
          checked++;
        }
        opts.onProgress?.(checked);
        if (rows.length < pageSize) break;
      }
      const head = await client.query<{ last_id: string; last_hash: string }>(
        'SELECT last_id::text AS last_id, last_hash FROM public.audit_chain_head',
      );
      const h = head.rows[0];
      const actual = h ? `${h.last_id}:${h.last_hash}` : 'missing';
      const expected = `${prevId.toString()}:${prevHash}`;
      if (actual !== expected) {
        return result({ check: 'head', id: prevId.toString(), eventId: null, expected, actual });
      }
      return result();
    },
    { isolation: 'repeatable read', readOnly: true },
  );
}
