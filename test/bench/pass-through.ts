/**
 * The normalizer benchmark's yardstick, built outside the engine: a copier consuming the raw topics
 * the way the normalizer does (its consumer settings and co-partition assignment, read_committed,
 * one transactional writer per partition index, batches that arrive while a transaction is in
 * flight going together into the next one, offsets in the transaction) that writes every raw record
 * unchanged to the topic `topicOf` names for its kind. No decoding, mapping, dedup or encoding: the
 * ratio normalizer / pass-through is what those cost.
 */
import type { EachBatchPayload, Kafka, Message } from 'kafkajs';
import { coPartitionAssigner } from '../../services/normalizer/co-partition-assigner.ts';
import { rawTopic, sourceKinds, type Kind } from '../../services/platform/catalog.ts';
import { GroupedCommits } from '../../services/platform/grouped-commits.ts';
import { TransactionalWriter } from '../../services/platform/transactional-writer.ts';

export interface PassThrough {
  /** Raw records copied and committed so far. */
  copied(): number;
  close(): Promise<void>;
}

interface Batch {
  rawTopic: string;
  /** Where its records are copied to. */
  topic: string;
  messages: Message[];
  nextOffset: number;
}

/** One partition index: its writer, and the batches waiting for the transaction in flight to end. */
class IndexCopier {
  private readonly index: number;
  private readonly writer: TransactionalWriter;
  private readonly groupId: string;
  private readonly committed: (count: number) => void;
  private readonly commits = new GroupedCommits<Batch>((batches) => this.commit(batches));

  constructor(index: number, writer: TransactionalWriter, groupId: string, committed: (count: number) => void) {
    this.index = index;
    this.writer = writer;
    this.groupId = groupId;
    this.committed = committed;
  }

  copy(batch: Batch): Promise<void> {
    return this.commits.add(batch);
  }

  private async commit(batches: Batch[]): Promise<void> {
    const output = new Map<string, Message[]>();
    const offsets = new Map<string, number>();
    let count = 0;
    for (const batch of batches) {
      const list = output.get(batch.topic) ?? [];
      output.set(batch.topic, list);
      list.push(...batch.messages);
      count += batch.messages.length;
      offsets.set(batch.rawTopic, Math.max(offsets.get(batch.rawTopic) ?? 0, batch.nextOffset));
    }
    await this.writer.commit([...output].map(([topic, messages]) => ({ topic, messages })), {
      consumerGroupId: this.groupId,
      topics: [...offsets].map(([topic, offset]) => ({ topic, partitions: [{ partition: this.index, offset: String(offset) }] })),
    });
    this.committed(count);
  }

  async close(): Promise<void> {
    await this.commits.idle();
    await this.writer.close();
  }
}

export async function startPassThrough(kafka: Kafka, groupId: string, topicOf: (kind: Kind) => string): Promise<PassThrough> {
  const kindOf = new Map(sourceKinds().map(({ source, kind }) => [rawTopic(source, kind), kind] as const));
  const copiers = new Map<number, Promise<IndexCopier>>();
  let copied = 0;
  const copier = (index: number) => {
    let opening = copiers.get(index);
    if (opening === undefined) {
      opening = TransactionalWriter.open(kafka, `${groupId}-${index}`).then((writer) => new IndexCopier(index, writer, groupId, (count) => (copied += count)));
      copiers.set(index, opening);
    }
    return opening;
  };
  const consumer = kafka.consumer({ groupId, readUncommitted: false, partitionAssigners: [coPartitionAssigner], maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [...kindOf.keys()], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 32,
    eachBatch: async ({ batch, heartbeat }: EachBatchPayload) => {
      if (batch.messages.length === 0) return;
      const topic = topicOf(kindOf.get(batch.topic)!);
      const messages = batch.messages.map((message) => ({ key: message.key, value: message.value, headers: message.headers ?? {} }));
      const keepAlive = setInterval(() => void heartbeat().catch(() => {}), 2_000);
      try {
        await (await copier(batch.partition)).copy({ rawTopic: batch.topic, topic, messages, nextOffset: Number(batch.lastOffset()) + 1 });
      } finally {
        clearInterval(keepAlive);
      }
    },
  });
  return {
    copied: () => copied,
    close: async () => {
      await consumer.disconnect();
      await Promise.all([...copiers.values()].map(async (opening) => (await opening).close()));
    },
  };
}
