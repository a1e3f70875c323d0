import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyPartition } from '../../services/platform/key-partition.ts';

function metadata(partitions: number): PartitionMetadata[] {
  return Array.from({ length: partitions }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [], isr: [] }));
}

describe('keyPartition', () => {
  const kafkajs = Partitioners.DefaultPartitioner();

  it("places every key where kafkajs' DefaultPartitioner (Kafka's murmur2) places it", () => {
    const keys: (string | Buffer)[] = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'Nguyễn Văn An — ☃ 🦠',
      ...Array.from({ length: 500 }, () => randomUUID()),
      ...Array.from({ length: 500 }, (_, i) => randomBytes(i % 67)),
    ];
    for (const partitions of [1, 3, 6, 12, 50]) {
      for (const key of keys) {
        const expected = kafkajs({ topic: 'raw.vhd.health-declaration', partitionMetadata: metadata(partitions), message: { key, value: null } });
        expect(keyPartition(key, partitions), `key ${JSON.stringify(key.toString())} among ${partitions}`).toBe(expected);
      }
    }
  });

  it('spreads keys over every partition', () => {
    const seen = new Set(Array.from({ length: 1_000 }, () => keyPartition(randomUUID(), 6)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
