/**
 * Work committed in groups: items added while a commit is in flight wait and go together into the
 * next one, so many busy inputs (the raw topics of one partition index) share one commit, one Kafka
 * transaction. Each item's promise settles with the commit that took it.
 */
export class GroupedCommits<T> {
  private readonly commit: (items: T[]) => Promise<void>;
  private queue: { item: T; resolve: () => void; reject: (error: Error) => void }[] = [];
  private draining: Promise<void> | null = null;

  constructor(commit: (items: T[]) => Promise<void>) {
    this.commit = commit;
  }

  /** Resolves when the item is committed; rejects with its commit's error. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) this.startDraining();
    });
  }

  /** Resolves once no commit is in flight (a failed one was reported to its items). */
  async idle(): Promise<void> {
    await this.draining?.catch(() => {});
  }

  private startDraining(): void {
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // An item added after the drain's last look at the queue, before this callback ran.
      if (this.queue.length > 0) this.startDraining();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        await this.commit(group.map((entry) => entry.item));
        for (const entry of group) entry.resolve();
      } catch (error) {
        for (const entry of group) entry.reject(error as Error);
      }
    }
  }
}
