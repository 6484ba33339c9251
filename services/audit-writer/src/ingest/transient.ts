import { pgErrorCode } from '@dph/db';

/**
 * Whether a failed batch insert is worth retrying as is (the database is restarting, unreachable or busy), as
 * opposed to a row the database refuses (data or constraint error), which must be isolated and dead-lettered.
 */
export function isTransientDbError(err: unknown): boolean {
  const code = pgErrorCode(err);
  if (code === undefined) return true; // socket errors, timeouts, pool exhaustion: no SQLSTATE
  if (/^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)/.test(code)) return true;
  const cls = code.slice(0, 2);
  return cls === '08' || cls === '53' || cls === '57' || cls === '58' || code === '40001' || code === '40P01' || cls === 'XX';
}
