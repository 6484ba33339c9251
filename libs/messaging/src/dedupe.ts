/**
 * Consumer dedupe by CloudEvent id. This is a fast path only: the authoritative guard is the handler's own
 * transaction (conditional state updates, INSERT ... ON CONFLICT on the event id), because an in-memory set is
 * per process and forgets on restart. Services that need cross-replica dedupe implement Deduper on Postgres.
 */
import { LRUCache } from 'lru-cache';

export interface Deduper {
  /** True when this event id was already handled successfully. */
  seen(id: string): Promise<boolean> | boolean;
  /** Records a successful handling (called after the handler resolved, before the ack). */
  remember(id: string): Promise<void> | void;
}

export class MemoryDeduper implements Deduper {
  private readonly ids: LRUCache<string, true>;
  constructor(max = 10_000) {
    this.ids = new LRUCache({ max });
  }
  seen(id: string): boolean {
    return this.ids.has(id);
  }
  remember(id: string): void {
    this.ids.set(id, true);
  }
}
