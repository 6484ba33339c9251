/**
 * Groups concurrently consumed events into one intake statement. Each handler call waits for the batch that holds
 * its event to commit, so a message is still acked only after its deliveries are durable; a failed batch rejects
 * every caller, and each message is then retried by the broker on its own. Batches run one at a time (each sees
 * the previous one committed, which the intake's per-job order check relies on); events arriving meanwhile
 * gather into the next batch instead of queuing as many small ones. Hand-written: a few lines over a timer, and
 * the durability rule (ack after commit) is the product's own.
 */
export class Batcher<T, R> {
  private items: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly run: (items: T[]) => Promise<R>,
    private readonly maxItems = 500,
    private readonly maxWaitMs = 2,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.items.push({ item, resolve, reject });
      if (this.busy) return;
      if (this.items.length >= this.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.busy || this.items.length === 0) return;
    const batch = this.items.splice(0, this.maxItems);
    this.busy = true;
    this.run(batch.map((b) => b.item))
      .then(
        (r) => batch.forEach((b) => b.resolve(r)),
        (e: unknown) => batch.forEach((b) => b.reject(e)),
      )
      .finally(() => {
        this.busy = false;
        if (this.items.length > 0) this.flush();
      });
  }
}
