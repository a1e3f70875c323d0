import { describe, expect, it } from 'vitest';
import {
  configRecord,
  highWaterRecord,
  modeRecord,
  RegistryState,
  schemaRecord,
  schemaTombstone,
  type LogRecord,
  type SchemaVersion,
} from '../../services/schema-registry/state.ts';

const S1 = '{"type":"record","name":"A","fields":[]}';
const S2 = '{"type":"record","name":"B","fields":[]}';
const S3 = '{"type":"record","name":"C","fields":[]}';

const version = (subject: string, v: number, id: number, schema: string, deleted = false): SchemaVersion => ({
  subject,
  version: v,
  id,
  schema,
  deleted,
});

/** A log and the states of the instances reading it. */
class Log {
  readonly records: LogRecord[] = [];
  readonly state = new RegistryState();
  append(...records: LogRecord[]): boolean[] {
    return records.map((record) => {
      this.records.push(record);
      return this.state.apply(record.key, record.value);
    });
  }
  /** What Kafka's cleaner may leave: the last record of each key, tombstones dropped. */
  compacted(): LogRecord[] {
    const last = new Map<string, number>();
    this.records.forEach((record, offset) => last.set(record.key, offset));
    return this.records.filter((record, offset) => last.get(record.key) === offset && record.value !== null);
  }
}

const replay = (records: LogRecord[]) => {
  const state = new RegistryState();
  for (const record of records) state.apply(record.key, record.value);
  return state;
};

describe('registry state: applying the log', () => {
  it('binds ids to schemas globally and versions per subject', () => {
    const log = new Log();
    expect(log.append(schemaRecord(version('s', 1, 1, S1)), schemaRecord(version('t', 1, 1, S1)))).toEqual([true, true]);
    expect(log.state.versions('t', false).map((v) => v.id)).toEqual([1]);
    expect(log.state.schemaById(1)).toBe(S1);
    expect(log.state.nextId()).toBe(2);
  });

  it('ignores records that contradict earlier ones, whoever wrote them', () => {
    const log = new Log();
    log.append(schemaRecord(version('s', 1, 1, S1)));
    // Same version slot, other schema: the concurrent writer lost.
    expect(log.append(schemaRecord(version('s', 1, 2, S2)))).toEqual([false]);
    // Id already bound to another schema.
    expect(log.append(schemaRecord(version('t', 1, 1, S2)))).toEqual([false]);
    // Schema already bound to another id.
    expect(log.append(schemaRecord(version('t', 1, 5, S1)))).toEqual([false]);
    // Restating the same thing is harmless.
    expect(log.append(schemaRecord(version('s', 1, 1, S1)))).toEqual([true]);
    expect(log.state.versions('t', true)).toEqual([]);
    expect(log.state.schemaById(2)).toBeUndefined();
  });

  it('soft deletes are final and permanent deletes need them first', () => {
    const log = new Log();
    log.append(schemaRecord(version('s', 1, 1, S1)));
    expect(log.append(schemaTombstone('s', 1))).toEqual([false]);
    expect(log.append(schemaRecord(version('s', 1, 1, S1, true)))).toEqual([true]);
    expect(log.append(schemaRecord(version('s', 1, 1, S1, false)))).toEqual([false]);
    expect(log.state.versions('s', false)).toEqual([]);
    expect(log.state.versions('s', true)).toHaveLength(1);
    expect(log.append(schemaTombstone('s', 1))).toEqual([true]);
    expect(log.state.versions('s', true)).toEqual([]);
    expect(log.state.schemaById(1)).toBeUndefined();
  });

  it('keeps ids unique across permanent deletes through the high-water mark', () => {
    const log = new Log();
    log.append(schemaRecord(version('s', 1, 7, S1)), schemaRecord(version('s', 1, 7, S1, true)));
    log.append(highWaterRecord(log.state.maxId()), schemaTombstone('s', 1));
    const restarted = replay(log.compacted());
    expect(restarted.versions('s', true)).toEqual([]);
    expect(restarted.nextId()).toBe(8);
  });

  it('tracks compatibility settings, global default BACKWARD', () => {
    const log = new Log();
    expect(log.state.globalCompatibility()).toBe('BACKWARD');
    log.append(configRecord(null, 'FULL'), configRecord('s', 'NONE'));
    expect(log.state.effectiveCompatibility('s')).toBe('NONE');
    expect(log.state.effectiveCompatibility('t')).toBe('FULL');
    log.append(configRecord(null, null), configRecord('s', null));
    expect(log.state.effectiveCompatibility('s')).toBe('BACKWARD');
  });
});

describe('registry state: surviving compaction', () => {
  /** Two writers raced for version 2 of "s"; the later record lost but is the key's last record. */
  const lostRace = () => {
    const log = new Log();
    log.append(schemaRecord(version('s', 1, 1, S1)));
    log.append(schemaRecord(version('s', 2, 2, S2)));
    expect(log.append(schemaRecord(version('s', 2, 3, S3)))).toEqual([false]);
    return log;
  };

  it('would let compaction resurrect a losing record without repair', () => {
    const log = lostRace();
    expect(replay(log.compacted()).snapshot()).not.toEqual(log.state.snapshot());
  });

  it('repairs restate the winners so a compacted replay equals the live state', () => {
    const log = lostRace();
    // The loser retried as version 3, then repaired.
    log.append(schemaRecord(version('s', 3, 3, S3)));
    const repairs = log.state.repairs();
    expect(repairs).toEqual([schemaRecord(version('s', 2, 2, S2))]);
    expect(log.append(...repairs)).toEqual([true]);
    expect(log.state.repairs()).toEqual([]);
    expect(replay(log.compacted()).snapshot()).toEqual(log.state.snapshot());
    expect(replay(log.records).snapshot()).toEqual(log.state.snapshot());
  });

  it('repairs a losing record on a key nobody won with a tombstone', () => {
    const log = new Log();
    log.append(schemaRecord(version('s', 1, 1, S1)));
    // The id was taken: the record at (t, 1) is ignored.
    log.append(schemaRecord(version('t', 1, 1, S2)));
    const repairs = log.state.repairs();
    expect(repairs).toEqual([schemaTombstone('t', 1)]);
    log.append(...repairs);
    expect(replay(log.compacted()).snapshot()).toEqual(log.state.snapshot());
  });

  it('a stale repair racing a delete is itself ignored and repaired again', () => {
    const log = lostRace();
    const stale = log.state.repairs();
    // Before the repair lands, version 2 is soft-deleted: the repair would undelete it.
    log.append(schemaRecord(version('s', 2, 2, S2, true)));
    expect(log.append(...stale)).toEqual([false]);
    log.append(...log.state.repairs());
    expect(log.state.repairs()).toEqual([]);
    expect(log.state.version('s', 2)?.deleted).toBe(true);
    expect(replay(log.compacted()).snapshot()).toEqual(log.state.snapshot());
  });

  it('marks undecodable records for overwrite', () => {
    const log = new Log();
    const key = schemaRecord(version('s', 1, 1, S1)).key;
    expect(log.append({ key, value: '{not json' })).toEqual([false]);
    expect(log.state.repairs()).toEqual([{ key, value: null }]);
    expect(log.append({ key: 'not a key', value: '{}' })).toEqual([false]);
  });

  it('folds modes, global and per subject, in Confluent\'s record format, and replays them after compaction', () => {
    const log = new Log();
    expect(log.state.effectiveMode('s')).toBe('READWRITE');
    expect(log.append(modeRecord('s', 'READONLY'), modeRecord(null, 'READONLY'), modeRecord('t', 'READWRITE'))).toEqual([true, true, true]);
    expect(modeRecord('s', 'READONLY')).toEqual({ key: '{"keytype":"MODE","subject":"s","magic":0}', value: '{"mode":"READONLY"}' });
    expect([log.state.effectiveMode('s'), log.state.effectiveMode('t'), log.state.effectiveMode('u')]).toEqual(['READONLY', 'READWRITE', 'READONLY']);
    expect(log.append(modeRecord('s', null), modeRecord(null, null))).toEqual([true, true]);
    expect([log.state.subjectMode('s'), log.state.globalMode()]).toEqual([undefined, 'READWRITE']);
    log.append(modeRecord('u', 'READONLY'));
    expect(replay(log.compacted()).snapshot()).toEqual(log.state.snapshot());
  });

  it('ignores modes it does not implement (IMPORT, READONLY_OVERRIDE) and overwrites them', () => {
    const log = new Log();
    const key = modeRecord(null, 'READONLY').key;
    expect(log.append({ key, value: '{"mode":"IMPORT"}' }, { key, value: '{"mode":"READONLY_OVERRIDE"}' })).toEqual([false, false]);
    expect(log.state.globalMode()).toBe('READWRITE');
    expect(log.state.repairs()).toEqual([{ key, value: null }]);
  });
});
