/**
 * Per-URI validation scheduling: changes that arrive while a file is being validated collapse into
 * one follow-up run; runs for different files interleave (validation yields), and a closed file's
 * pending run is dropped.
 */
export class Scheduler {
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly queued = new Set<string>();

  constructor(private readonly work: (uri: string) => Promise<void>) {}

  /** Validates `uri` soon: now if idle, after the current run otherwise. */
  schedule(uri: string): void {
    if (this.running.has(uri)) {
      this.dirty.add(uri);
      return;
    }
    if (this.queued.has(uri)) return;
    this.queued.add(uri);
    setImmediate(() => {
      if (!this.queued.delete(uri)) return;
      void this.run(uri);
    });
  }

  cancel(uri: string): void {
    this.queued.delete(uri);
    this.dirty.delete(uri);
  }

  private async run(uri: string): Promise<void> {
    this.running.add(uri);
    try {
      await this.work(uri);
    } catch {
      // The work reports its own errors; a failure must not stop later runs.
    } finally {
      this.running.delete(uri);
      if (this.dirty.delete(uri)) this.schedule(uri);
    }
  }
}
