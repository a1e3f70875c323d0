/**
 * What an alert destination receives, signed like an agency webhook (services/platform/webhook-signing.ts):
 *
 *   {"type": "truc.alert", "id", "alert": "<key>", "state": "firing" | "resolved", "severity",
 *    "what", "where", "summary", "since", "at", "values"}
 *
 * `id` is the webhook-id too: the same for every retry of one transition, so a receiver drops
 * repeats by it. `since` is when the condition started to hold; `at` when it fired or resolved.
 */
import { createHash } from 'node:crypto';
import type { Severity } from './alert-rules.ts';
import type { AlertPhase, AlertTransition } from './alert-state.ts';

export interface AlertMessage {
  type: 'truc.alert';
  id: string;
  alert: string;
  state: AlertPhase;
  severity: Severity;
  what: string;
  where: string;
  summary: string;
  since: string;
  at: string;
  values: AlertTransition['values'];
}

export function alertMessage(transition: AlertTransition): AlertMessage {
  const { key, state, severity, what, where, since, at, values } = transition;
  const id = `alert_${createHash('sha256').update(`${key}\n${state}\n${since}`).digest('base64url').slice(0, 32)}`;
  return {
    type: 'truc.alert',
    id,
    alert: key,
    state,
    severity,
    what,
    where,
    summary: state === 'firing' ? `${what}: ${where}` : `recovered: ${what}: ${where}`,
    since: new Date(since).toISOString(),
    at: new Date(at).toISOString(),
    values,
  };
}
