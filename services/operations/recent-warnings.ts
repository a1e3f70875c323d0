/**
 * The latest warnings for the operator console: log warnings and errors of the process, and the
 * changes of state the console notices (a connector failed, ClickHouse refusing inserts, a
 * subscription failing). A warning repeating the newest one bumps its count instead of pushing
 * the others out. Messages are what the system did, never record contents.
 */
export interface RecentWarning {
  at: string;
  /** The stage or part concerned (connector name, "clickhouse", a subscription id, "log"). */
  where: string;
  message: string;
  /** How many times in a row it was seen. */
  count: number;
}

const MAX_MESSAGE_CHARS = 500;

export class RecentWarnings {
  private readonly capacity: number;
  private readonly list: RecentWarning[] = [];

  constructor(capacity = 50) {
    this.capacity = capacity;
  }

  add(where: string, message: string, atMs = Date.now()): void {
    const text = message.slice(0, MAX_MESSAGE_CHARS);
    const newest = this.list[0];
    if (newest && newest.where === where && newest.message === text) {
      newest.count += 1;
      newest.at = new Date(atMs).toISOString();
      return;
    }
    this.list.unshift({ at: new Date(atMs).toISOString(), where, message: text, count: 1 });
    if (this.list.length > this.capacity) this.list.pop();
  }

  /** Newest first. */
  recent(): RecentWarning[] {
    return this.list.map((warning) => ({ ...warning }));
  }
}
