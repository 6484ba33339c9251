/**
 * One endpoint's share of a dispatcher: at most `cap` of its deliveries held at a time (claimed, and either in
 * flight or waiting for a slot), so an endpoint that is slow or timing out cannot take every slot and starve the
 * others. Claims and fast-path intakes ask `room()` how many more each busy endpoint may take; the database then
 * leaves the rest due, for this or another replica. Hand-written: it is the engine's own bookkeeping.
 */
import type { ClaimedDelivery } from './store.js';

/** Busy endpoints and how many more deliveries each may take; endpoints not listed may take `cap`. */
export interface EndpointRoom {
  keys: string[];
  rooms: number[];
  cap: number;
}

/** No per-endpoint limit (callers outside a running engine). */
export const UNLIMITED_ROOM: EndpointRoom = Object.freeze({ keys: [], rooms: [], cap: 2_147_483_647 }) as EndpointRoom;

export class EndpointSlots {
  readonly cap: number;
  private readonly held = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, ClaimedDelivery[]>();
  /** Endpoints that reached their share: their due rows are passed over until they are down to half of it. */
  private readonly reachedCap = new Set<string>();

  /** `cap` 0: no share (every endpoint may take all it finds); the bookkeeping still runs, the limits do not. */
  constructor(cap: number) {
    this.cap = cap > 0 ? cap : UNLIMITED_ROOM.cap;
  }

  room(): EndpointRoom {
    if (this.cap === UNLIMITED_ROOM.cap) return UNLIMITED_ROOM;
    const keys: string[] = [];
    const rooms: number[] = [];
    for (const [key, n] of this.held) {
      keys.push(key);
      rooms.push(Math.max(0, this.cap - n));
    }
    return { keys, rooms, cap: this.cap };
  }

  /** True when the endpoint holds its whole share. */
  full(key: string): boolean {
    return (this.held.get(key) ?? 0) >= this.cap;
  }

  /** A claimed delivery now belongs to this dispatcher. */
  accept(d: ClaimedDelivery): void {
    const n = (this.held.get(d.endpoint_key) ?? 0) + 1;
    this.held.set(d.endpoint_key, n);
    if (n >= this.cap) this.reachedCap.add(d.endpoint_key);
  }

  /** True when `d` may start now; otherwise it waits here until an attempt to its endpoint finishes. */
  tryStart(d: ClaimedDelivery): boolean {
    const n = this.running.get(d.endpoint_key) ?? 0;
    if (n >= this.cap) {
      const q = this.waiting.get(d.endpoint_key);
      if (q) q.push(d);
      else this.waiting.set(d.endpoint_key, [d]);
      return false;
    }
    this.running.set(d.endpoint_key, n + 1);
    return true;
  }

  /**
   * `d`'s attempt is over: frees its slot. Returns a delivery of the same endpoint that waited for it (it takes the
   * slot over), and whether an endpoint that had reached its share is now down to half of it: its due rows were
   * passed over meanwhile, so claim again (then for half a share at once, not one row per finished attempt).
   */
  finish(d: ClaimedDelivery): { next: ClaimedDelivery | undefined; reopened: boolean } {
    const key = d.endpoint_key;
    this.release(this.held, key);
    const q = this.waiting.get(key);
    const next = q?.shift();
    if (q?.length === 0) this.waiting.delete(key);
    if (!next) this.release(this.running, key);
    const reopened = this.reachedCap.has(key) && (this.held.get(key) ?? 0) <= Math.floor(this.cap / 2);
    if (reopened) this.reachedCap.delete(key);
    return { next, reopened };
  }

  /** Forgets every waiting delivery (stopping: they are left to their lease); returns how many. */
  dropWaiting(): number {
    let n = 0;
    for (const [key, q] of this.waiting) {
      n += q.length;
      for (let i = 0; i < q.length; i++) this.release(this.held, key);
    }
    this.waiting.clear();
    this.reachedCap.clear();
    return n;
  }

  private release(m: Map<string, number>, key: string): void {
    const n = (m.get(key) ?? 0) - 1;
    if (n > 0) m.set(key, n);
    else m.delete(key);
  }
}
