/**
 * How a subscription's delivery is doing, as the fan-out reports it on the status topic and the API
 * and `truc status` show it. Counts accumulate across restarts (a restarted instance carries on
 * from the last status written).
 */
export type DeliveryState = 'starting' | 'delivering' | 'retrying' | 'failing' | 'paused';

export interface DeliveryStatus {
  subscription: string;
  state: DeliveryState;
  /** Events delivered (a webhook answered 2xx, or an agency topic transaction committed). */
  delivered: number;
  /** Failed attempts that were retried. */
  retries: number;
  /** Events moved to the subscription's dead-letter topic after the retry budget. */
  deadLetters: number;
  /** Records of the canonical topics not yet processed by this subscription (its consumer group's lag). */
  lag: number;
  /** The last sequence number given to an event of the subscription (0: none yet). */
  lastSequence: number;
  /** Events numbered since the fan-out instance delivering it started it. */
  eventsSinceStart: number;
  lastSuccessAt: string | null;
  lastError: { at: string; message: string } | null;
  updatedAt: string;
}

export function emptyStatus(subscription: string): DeliveryStatus {
  return {
    subscription,
    state: 'starting',
    delivered: 0,
    retries: 0,
    deadLetters: 0,
    lag: 0,
    lastSequence: 0,
    eventsSinceStart: 0,
    lastSuccessAt: null,
    lastError: null,
    updatedAt: new Date().toISOString(),
  };
}
