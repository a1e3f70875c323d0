import { describe, expect, it } from 'vitest';
import { GroupedCommits } from '../../services/platform/grouped-commits.ts';

/** A commit function whose commits finish when the test says so, recording each group. */
function controlled() {
  const groups: number[][] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const commits = new GroupedCommits<number>(
    (items) =>
      new Promise<void>((resolve, reject) => {
        groups.push(items);
        pending.push({ resolve, reject });
      }),
  );
  const settle = async (error?: Error) => {
    const next = pending.shift()!;
    if (error) next.reject(error);
    else next.resolve();
    // Lets the queue take its next group.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { commits, groups, settle };
}

describe('grouped commits', () => {
  it('commits what arrives during a commit together in the next one, and settles each item with its commit', async () => {
    const { commits, groups, settle } = controlled();
    const settled: number[] = [];
    const add = (item: number) => commits.add(item).then(() => settled.push(item));
    const first = add(1);
    const rest = [add(2), add(3)];
    expect(groups).toEqual([[1]]);
    await settle();
    await first;
    expect(settled).toEqual([1]);
    expect(groups).toEqual([[1], [2, 3]]);
    await settle();
    await Promise.all(rest);
    expect(settled).toEqual([1, 2, 3]);
  });

  it('rejects the items of a failed commit with its error and goes on with the next', async () => {
    const { commits, groups, settle } = controlled();
    const failed = expect(commits.add(1)).rejects.toThrow('fenced');
    const later = commits.add(2);
    await settle(new Error('fenced'));
    await failed;
    expect(groups).toEqual([[1], [2]]);
    await settle();
    await expect(later).resolves.toBeUndefined();
  });

  it('takes an item added as the last commit settles, and is idle only when no commit is in flight', async () => {
    const { commits, groups, settle } = controlled();
    let second: Promise<void> | undefined;
    // Added by the first item's own settlement: after the queue's last look, before the drain ended.
    const first = commits.add(1).then(() => {
      second = commits.add(2);
    });
    let idle = false;
    const waiting = commits.idle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    await settle();
    await first;
    await waiting;
    expect(groups).toEqual([[1], [2]]);
    await settle();
    await expect(second).resolves.toBeUndefined();
  });
});
