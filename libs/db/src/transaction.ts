import { DphError } from '@dph/errors';
import { SCENE_PATTERN } from '@dph/contracts';
import type { Pool, PoolClient } from './pool.js';

/** The system scope: service roles (worker, dispatcher, audit writer) may read across scenes with it. */
export const ALL_SCENES = '*';

export interface TransactionOptions {
  /** Sets dph.tenant_scene for the transaction (row-level security). */
  scene?: string;
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  readOnly?: boolean;
  /**
   * false: the commit does not wait for its WAL flush (synchronous_commit = off for this transaction only), set in
   * the same round trip as BEGIN. Only for writes whose loss in a database crash is harmless (redone later).
   */
  durable?: boolean;
}

/**
 * Scopes the current transaction to one tenant scene: row-level security then shows and accepts only that
 * scene's rows (for dph_api always; for system roles when they choose to). Transaction-local, so a pooled
 * connection never carries a scene into the next checkout.
 */
export async function setTenantScene(client: Pick<PoolClient, 'query'>, scene: string): Promise<void> {
  if (scene !== ALL_SCENES && !SCENE_PATTERN.test(scene)) {
    throw new DphError('validation_failed', 'invalid tenant scene', { status: 400 });
  }
  await client.query("SELECT set_config('dph.tenant_scene', $1, true)", [scene]);
}

/**
 * Runs fn inside BEGIN/COMMIT on one pooled connection. Any throw rolls back; a connection whose ROLLBACK itself
 * failed is destroyed rather than returned to the pool in an unknown state.
 */
export async function withTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
  opts: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // pg-pool listens for errors only on idle clients; a checked-out client whose server connection dies between
  // two queries would otherwise emit an unhandled 'error' and crash the process. The next query rejects anyway.
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    const mode = [opts.isolation ? `ISOLATION LEVEL ${opts.isolation.toUpperCase()}` : '', opts.readOnly ? 'READ ONLY' : '']
      .filter(Boolean)
      .join(' ');
    const begin = mode ? `BEGIN ${mode}` : 'BEGIN';
    await client.query(opts.durable === false ? `${begin}; SET LOCAL synchronous_commit = off` : begin);
    if (opts.scene !== undefined) await setTenantScene(client, opts.scene);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error('rollback failed');
    }
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
