/**
 * What citizen reports of every source share: their key, and the reporter. A report is anonymous
 * when the reporter asked for it or left no contact; then it carries no reporter and no person key,
 * whatever the source sent. The person key of a report is the reporter's phone.
 */
import type { Reporter } from '../../../schemas/kinds/citizen-report/record.ts';
import type { KeyInput, PersonKeyFunction } from './contract.ts';
import { phoneE164 } from './rules/phone.ts';
import type { QualityFlags } from './rules/quality-flags.ts';
import { text } from './rules/text.ts';

/** `<source>:<source record id>`: unique across sources, and the same on every replay. */
export function reportId(input: KeyInput): string {
  return `${input.source}:${input.sourceRecordId}`;
}

/** The contact details a source has for a reporter; null when the report is anonymous. */
export interface ReporterContact {
  name?: string | null;
  phone?: string | null;
  /** Not carried by canonical reports, but a contact all the same. */
  email?: string | null;
}

/** The canonical reporter; null when the report is anonymous or no contact was left. */
export function reporterOf(contact: ReporterContact | null, flags: QualityFlags): Reporter | null {
  if (contact === null) return null;
  const name = text(contact.name);
  const phone = text(contact.phone);
  if (name === null && phone === null && text(contact.email) === null) return null;
  return { name, phone: phoneE164(phone, flags) };
}

export function reporterKey(reporter: Reporter | null, personKey: PersonKeyFunction): string | null {
  return reporter?.phone ? personKey({ phone: reporter.phone }) : null;
}
