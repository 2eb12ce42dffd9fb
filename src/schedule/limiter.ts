/** A counting semaphore that never blocks: the scheduler asks, and starts a task only when a slot is free. */
export class Limiter {
  private inUse = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`limiter capacity must be >= 1, got ${capacity}`);
  }

  get available(): number {
    return this.capacity - this.inUse;
  }

  tryAcquire(): boolean {
    if (this.inUse >= this.capacity) return false;
    this.inUse++;
    return true;
  }

  release(): void {
    if (this.inUse === 0) throw new Error("limiter released more often than acquired");
    this.inUse--;
  }
}
