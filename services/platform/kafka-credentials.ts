/**
 * The Kafka credentials a local stack issues on first start (infra/stack/kafka-security.ts), kept in
 * one private file of the data folder: the bootstrap administrator (a super user), the principal
 * Truc's services use, the controller listener's own user, and the passwords of the TLS key stores.
 * Production deployments set KAFKA_SASL_* instead and never have this file.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { SaslCredentials } from './config.ts';

export interface LocalKafkaCredentials {
  admin: SaslCredentials;
  services: SaslCredentials;
  /** HTTP ingest's producer: writes to raw topics only. */
  ingest: SaslCredentials;
  /** SASL/PLAIN user of the controller listener (SCRAM users live in the metadata the controller serves, so it cannot use them). */
  controller: { username: string; password: string };
  keystorePassword: string;
}

export function readLocalKafkaCredentials(file: string): LocalKafkaCredentials | null {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as LocalKafkaCredentials;
}
