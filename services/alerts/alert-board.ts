/**
 * The alerts firing now and the latest resolved, for the operator console. Filled by startAlerts
 * as it sends them; created before (and apart from) the alerts themselves, so the API can be given
 * it at start although alerts start later. Messages hold figures and states only, never records.
 */
import type { AlertMessage } from './alert-message.ts';

/** What the console reads. */
export interface AlertsReadout {
  /** Firing now, oldest first. */
  firing(): AlertMessage[];
  /** The latest resolved, newest first. */
  resolved(): AlertMessage[];
}

const KEEP_RESOLVED = 20;

export class AlertBoard implements AlertsReadout {
  private readonly firingByKey = new Map<string, AlertMessage>();
  private readonly resolvedList: AlertMessage[] = [];

  record(message: AlertMessage): void {
    if (message.state === 'firing') {
      this.firingByKey.set(message.alert, message);
      return;
    }
    this.firingByKey.delete(message.alert);
    this.resolvedList.unshift(message);
    if (this.resolvedList.length > KEEP_RESOLVED) this.resolvedList.pop();
  }

  firing(): AlertMessage[] {
    return [...this.firingByKey.values()];
  }

  resolved(): AlertMessage[] {
    return [...this.resolvedList];
  }
}
