/**
 * The audit red line on the running mesh: no audit payload holds anything the PII engine recognises, and none of
 * the values planted in the sample documents appears in audit rows, service logs or any service's /metrics.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { isOwnIdentifier } from '@dph/audit';
import { findPiiInValue } from '@dph/pii';
import { pgAdminClientConfig, stackPaths } from '@dph/testkit';
import type { CheckResult } from '../check.js';
import { getText } from '../http.js';

/** Personal values planted in docs/samples (each appears there verbatim). */
export const PLANTED = [
  'jane.roe@example.net', '415-555-0134', '536-22-4187', '4111 1111 1111 1111', '203.0.113.7',
  '138 1234 5678', '110105199003071239', '6222 0212 3456 7890 128', 'zhangsan@example.cn', '6228 4800 1234 5671',
];

/** The audit writer's own exemption (isOwnIdentifier): our UUIDs are not personal values. */
function withoutOwnIds(v: unknown): unknown {
  if (typeof v === 'string') return isOwnIdentifier(v) ? '' : v;
  if (Array.isArray(v)) return v.map(withoutOwnIds);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutOwnIds(x)]));
  return v;
}

export async function redLineChecks(metricsUrls: string[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const client = new pg.Client(pgAdminClientConfig());
  await client.connect();
  try {
    let rows = 0;
    let flagged = 0;
    let planted = 0;
    let lastId = 0;
    for (;;) {
      const r = await client.query<{ id: string; payload: unknown }>('SELECT id, payload FROM audit_events WHERE id > $1 ORDER BY id LIMIT 5000', [lastId]);
      if (r.rows.length === 0) break;
      for (const row of r.rows) {
        rows++;
        if (findPiiInValue(withoutOwnIds(row.payload)).length > 0) flagged++;
        const text = JSON.stringify(row.payload);
        if (PLANTED.some((v) => text.includes(v))) planted++;
      }
      lastId = Number(r.rows[r.rows.length - 1]!.id);
    }
    out.push({ name: 'red line: audit payloads hold no recognisable PII', ok: flagged === 0, detail: `${rows} rows scanned, ${flagged} flagged` });
    out.push({ name: 'red line: audit rows hold no planted value', ok: planted === 0, detail: `${planted} rows with a planted value` });
  } finally {
    await client.end();
  }
  const logDir = stackPaths().logs;
  const hits: string[] = [];
  for (const f of readdirSync(logDir).filter((n) => n.endsWith('.log'))) {
    const text = readFileSync(join(logDir, f), 'utf8');
    for (const v of PLANTED) if (text.includes(v)) hits.push(`${f}: ${PLANTED.indexOf(v)}`);
  }
  out.push({ name: 'red line: service logs hold no planted value', ok: hits.length === 0, detail: hits.length ? `found (file: value index) ${hits.join(', ')}` : 'clean' });
  for (const url of metricsUrls) {
    const text = await getText(url);
    const leaked = PLANTED.filter((v) => text.includes(v)).length;
    out.push({ name: `red line: ${url} holds no planted value`, ok: text.length > 0 && leaked === 0, detail: text.length ? `${leaked} planted values` : 'unreachable' });
  }
  return out;
}
