import { describe, expect, it } from 'vitest';
import { DedupState } from '../../services/normalizer/dedup-state.ts';

const HOUR = 3_600_000;

describe('duplicate detection state', () => {
  it('drops a replayed event and the same declaration from another source within the window', () => {
    const state = new DedupState({ windowMs: 24 * HOUR, toleranceMs: HOUR });
    const t1 = state.begin(0);
    expect(t1.check('ev-1', 'fp-A', 1_000)).toEqual({ duplicate: false });
    expect(t1.check('ev-1', 'fp-A', 1_000)).toEqual({ duplicate: true, reason: 'replayed-event' });
    t1.commit();
    const t2 = state.begin(10);
    expect(t2.check('ev-1', 'fp-A', 1_000)).toEqual({ duplicate: true, reason: 'replayed-event' });
    expect(t2.check('ev-2', 'fp-A', 1_000 + 5 * 60_000)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'ev-1' });
    // The same answers declared hours later are a new declaration, and do not hide the first one.
    expect(t2.check('ev-3', 'fp-A', 1_000 + 2 * HOUR)).toEqual({ duplicate: false });
    expect(t2.check('ev-5', 'fp-A', 1_000 + 10 * 60_000)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'ev-1' });
    expect(t2.check('ev-6', 'fp-A', 1_000 + 2 * HOUR + 50 * 60_000)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'ev-3' });
    expect(t2.check('ev-4', 'fp-B', 1_000)).toEqual({ duplicate: false });
  });

  it('changes nothing until the transaction commits', () => {
    const state = new DedupState({ windowMs: HOUR, toleranceMs: HOUR });
    const aborted = state.begin(0);
    aborted.check('ev-1', 'fp', 0);
    expect(state.begin(1).check('ev-1', 'fp', 0)).toEqual({ duplicate: false });
  });

  it('takes back the entries of an aborted transaction, and puts back the expired declaration one replaced', () => {
    const state = new DedupState({ windowMs: HOUR, toleranceMs: HOUR });
    const t1 = state.begin(0);
    t1.check('old', 'fp', 10);
    t1.commit();
    // Two hours on, the first declaration has expired (no transaction wrote its tombstone yet):
    // the same content in the same bucket files a new declaration in its place.
    const aborted = state.begin(2 * HOUR);
    expect(aborted.check('new', 'fp', 20)).toEqual({ duplicate: false });
    expect(aborted.check('plain', null, 0)).toEqual({ duplicate: false });
    expect(state.size).toBe(3);
    aborted.abort();
    expect(state.size).toBe(1);
    // Seen from before the expiry, the first declaration is there again; the aborted ones are not.
    const before = state.begin(30 * 60_000);
    expect(before.check('copy', 'fp', 20)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'old' });
    expect(before.check('new', null, 0)).toEqual({ duplicate: false });
    expect(before.check('plain', null, 0)).toEqual({ duplicate: false });
  });

  it("keeps a declaration filed in an expired one's place when that one's tombstone comes", () => {
    const state = new DedupState({ windowMs: HOUR, toleranceMs: HOUR });
    // Twenty older segments come first: a transaction writes at most twenty tombstones, so the
    // declaration's own segment is still held (expired) when its content is declared again.
    for (let i = 0; i < 20; i++) {
      const filler = state.begin(i);
      filler.check(`filler-${i}`, null, 0);
      filler.commit();
    }
    const t1 = state.begin(20);
    t1.check('old', 'fp', 10);
    t1.commit();
    const t2 = state.begin(2 * HOUR);
    expect(t2.check('new', 'fp', 20)).toEqual({ duplicate: false });
    expect(t2.messages(0).filter((m) => m.value === null)).toHaveLength(20);
    t2.commit();
    const t3 = state.begin(2 * HOUR + 1);
    expect(t3.messages(0).filter((m) => m.value === null)).toHaveLength(1);
    t3.commit();
    expect(state.begin(2 * HOUR + 2).check('copy', 'fp', 30)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'new' });
  });

  it('restores from its changelog, and expires entries with tombstones', () => {
    const state = new DedupState({ windowMs: HOUR, toleranceMs: HOUR });
    const t1 = state.begin(0);
    t1.check('ev-1', 'fp-A', 0);
    t1.check('ev-2', null, 0);
    const changelog = t1.messages(3);
    // One segment record holds the whole transaction.
    expect(changelog).toHaveLength(1);
    expect(changelog[0]!.partition).toBe(3);
    t1.commit();

    const restored = new DedupState({ windowMs: HOUR, toleranceMs: HOUR });
    for (const m of changelog) restored.apply(String(m.key), m.value as Buffer | null);
    const check = restored.begin(10);
    expect(check.check('ev-1', null, 0)).toEqual({ duplicate: true, reason: 'replayed-event' });
    expect(check.check('ev-2', null, 0)).toEqual({ duplicate: true, reason: 'replayed-event' });
    expect(check.check('ev-9', 'fp-A', 60_000)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'ev-1' });

    const later = restored.begin(HOUR + 1);
    expect(later.messages(3)).toEqual([{ key: changelog[0]!.key, value: null, partition: 3 }]);
    later.commit();
    expect(restored.size).toBe(0);
    expect(restored.begin(HOUR + 2).check('ev-9', 'fp-A', 60_000)).toEqual({ duplicate: false });
  });

  it('splits a large transaction into several segment records and ignores keys of other formats', () => {
    const state = new DedupState({ windowMs: HOUR, toleranceMs: HOUR });
    const t = state.begin(0);
    for (let i = 0; i < 3_000; i++) t.check(`ev-${i}`, i % 2 === 0 ? `fp-${i}` : null, 0);
    const changelog = t.messages(0);
    expect(changelog.length).toBe(2);
    const restored = new DedupState({ windowMs: HOUR, toleranceMs: HOUR });
    restored.apply('e:old-format-entry', Buffer.from('{"expiresAt":99999999}'));
    for (const m of changelog) restored.apply(String(m.key), m.value as Buffer | null);
    expect(restored.size).toBe(3_000);
    expect(restored.begin(1).check('ev-2999', null, 0)).toEqual({ duplicate: true, reason: 'replayed-event' });
    expect(restored.begin(1).check('other', 'fp-2998', 0)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'ev-2998' });
  });

  it('keeps the same answers declared hours apart as separate declarations, and forgets each with its own segment', () => {
    const MINUTE = 60_000;
    const state = new DedupState({ windowMs: HOUR, toleranceMs: 10 * MINUTE });
    const t1 = state.begin(0);
    expect(t1.check('a1', 'fp', 0)).toEqual({ duplicate: false });
    t1.commit();
    const t2 = state.begin(30 * MINUTE);
    expect(t2.check('a2', 'fp', 2 * HOUR)).toEqual({ duplicate: false });
    t2.commit();
    const t3 = state.begin(40 * MINUTE);
    expect(t3.check('a3', 'fp', 2 * HOUR + 5 * MINUTE)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'a2' });
    expect(t3.check('a4', 'fp', 4 * MINUTE)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'a1' });

    // The first transaction's segment expires; the second's is still held.
    const later = state.begin(HOUR + 1);
    expect(later.messages(0).filter((m) => m.value === null)).toHaveLength(1);
    later.commit();
    const after = state.begin(HOUR + 2);
    expect(after.check('a5', 'fp', 4 * MINUTE)).toEqual({ duplicate: false });
    expect(after.check('a6', 'fp', 2 * HOUR + MINUTE)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'a2' });
  });

  it('tells apart fingerprints that share their text up to a dot, live and after a restore', () => {
    const state = new DedupState({ windowMs: HOUR, toleranceMs: HOUR });
    const t = state.begin(0);
    expect(t.check('e1', 'fp.with.dots', 0)).toEqual({ duplicate: false });
    expect(t.check('e2', 'fp', 0)).toEqual({ duplicate: false });
    expect(t.check('e3', 'fp.with', 0)).toEqual({ duplicate: false });
    expect(t.check('e4', 'fp.with.dots', 60_000)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'e1' });
    const changelog = t.messages(0);
    t.commit();
    const restored = new DedupState({ windowMs: HOUR, toleranceMs: HOUR });
    for (const m of changelog) restored.apply(String(m.key), m.value as Buffer | null);
    for (const held of [state, restored]) {
      const probe = held.begin(1);
      expect(probe.check('p1', 'fp', 120_000)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'e2' });
      expect(probe.check('p2', 'fp.with', 120_000)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'e3' });
      expect(probe.check('p3', 'fp.with.dots', 120_000)).toEqual({ duplicate: true, reason: 'same-declaration', firstEventId: 'e1' });
      expect(probe.check('p4', 'fp.other', 120_000)).toEqual({ duplicate: false });
    }
  });
});
