/**
 * The checkpoint registry in memory: every normalizer instance reads the whole compacted
 * `canonical.checkpoint` topic at start and follows it live, so passages can carry their
 * checkpoint's name, type and province whichever partition they are on.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { AvroSerde } from '../platform/avro-serde.ts';
import { canonicalTopic } from '../platform/catalog.ts';
import type { Logger } from '../platform/logger.ts';
import { closePrivateConsumer, followTopic } from '../platform/topic-ends.ts';

export interface CheckpointInfo {
  name: string;
  type: string;
  province_code: string | null;
}

export class CheckpointTable {
  private readonly checkpoints = new Map<string, CheckpointInfo & { location_qr_id: string | null }>();
  /** PC-Covid scans name a checkpoint only by the location QR code posted at it. */
  private readonly byLocationQr = new Map<string, string>();
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private readonly kafka: Kafka;
  private readonly serde: AvroSerde;
  private readonly logger: Logger;

  private constructor(kafka: Kafka, serde: AvroSerde, logger: Logger) {
    this.kafka = kafka;
    this.serde = serde;
    this.logger = logger;
    // A group of its own: every instance needs every checkpoint, and never commits offsets.
    this.groupId = `truc-checkpoint-table-${randomUUID()}`;
    this.consumer = kafka.consumer({ groupId: this.groupId, readUncommitted: false });
  }

  /** Resolves once the table holds everything the topic held when it started. */
  static async start(kafka: Kafka, serde: AvroSerde, logger: Logger): Promise<CheckpointTable> {
    const table = new CheckpointTable(kafka, serde, logger);
    await table.follow();
    return table;
  }

  get size(): number {
    return this.checkpoints.size;
  }

  get(checkpointId: string): CheckpointInfo | undefined {
    return this.checkpoints.get(checkpointId);
  }

  checkpointIdOfLocationQr(locationQrId: string): string | undefined {
    return this.byLocationQr.get(locationQrId);
  }

  private remove(checkpointId: string): void {
    const previous = this.checkpoints.get(checkpointId);
    if (previous?.location_qr_id) this.byLocationQr.delete(previous.location_qr_id);
    this.checkpoints.delete(checkpointId);
  }

  private async follow(): Promise<void> {
    await followTopic(this.kafka, this.consumer, canonicalTopic('checkpoint'), {
      message: async (message, partition) => {
        const id = message.key?.toString('utf8');
        if (!id) return;
        this.remove(id);
        if (message.value === null) return;
        try {
          const record = await this.serde.decode<Record<string, unknown>>(message.value);
          const locationQrId = (record.location_qr_id as string | null) ?? null;
          this.checkpoints.set(id, {
            name: String(record.name),
            type: String(record.type),
            province_code: (record.province_code as string | null) ?? null,
            location_qr_id: locationQrId,
          });
          if (locationQrId) this.byLocationQr.set(locationQrId, id);
        } catch (error) {
          this.logger.error({ err: (error as Error).message, partition, offset: message.offset }, 'undecodable checkpoint record skipped');
        }
      },
    });
  }

  async close(): Promise<void> {
    await closePrivateConsumer(this.kafka, this.consumer, this.groupId);
  }
}
