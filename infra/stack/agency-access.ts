/**
 * The agencies' Kafka logins on the local stack, kept in line with the access file: an agency
 * issued a login (`truc agency-credentials`) and later removed from the file loses its ACLs, its
 * SCRAM user and its schema registry reader credential within one reload of the file. The broker's
 * own list of agency principals is the reference, so a removal made while Truc was down is applied
 * at the next start; principals that are not agency ones are never touched.
 */
import type { AccessPolicy, LiveAccessPolicy } from '../../services/platform/access.ts';
import type { Config } from '../../services/platform/config.ts';
import type { Logger } from '../../services/platform/logger.ts';
import { removeRegistryCredential } from '../../services/schema-registry/credentials.ts';
import { agenciesWithAcls, revokeAgency } from './kafka-broker.ts';
import { agencyPrincipal } from './kafka-security.ts';

/** An agency's schema registry user has the name of its Kafka principal. */
export function agencyRegistryUser(agency: string): string {
  return agencyPrincipal(agency);
}

/** Revokes every agency login the broker holds for an agency the policy no longer lists; returns those agencies. */
export async function revokeRemovedAgencies(config: Config, policy: AccessPolicy, logger: Logger): Promise<string[]> {
  const holders = await agenciesWithAcls(config);
  if (holders === null) return [];
  const removed = holders.filter((agency) => policy.agency(agency) === undefined);
  for (const agency of removed) {
    await revokeAgency(config, agency);
    removeRegistryCredential(config.schemaRegistry.credentialsFile, agencyRegistryUser(agency));
    logger.info({ agency }, "removed agency's Kafka login and registry credential revoked");
  }
  return removed;
}

export interface AgencyAccessFollower {
  /** Resolves once the reconciliation started last (at start or on a change) has ended. */
  settled(): Promise<void>;
  close(): void;
}

/**
 * Reconciles now and after every change of the access file, one run at a time (a change during a
 * run is applied by the run after it). Does nothing when KAFKA_MANAGE_AGENCY_ACCESS is false.
 */
export function followAgencyAccess(options: { config: Config; logger: Logger; access: LiveAccessPolicy }): AgencyAccessFollower {
  const { config, logger, access } = options;
  if (!config.kafka.manageAgencyAccess) return { settled: async () => {}, close: () => {} };
  let last: Promise<void> = Promise.resolve();
  const reconcile = () => {
    last = last.then(() =>
      revokeRemovedAgencies(config, access.current(), logger).then(
        () => {},
        (error: Error) => logger.error({ err: error.message }, "agencies' Kafka logins not reconciled with the access file; retried at its next change"),
      ),
    );
  };
  reconcile();
  const unsubscribe = access.onChange(reconcile);
  return { settled: () => last, close: unsubscribe };
}
