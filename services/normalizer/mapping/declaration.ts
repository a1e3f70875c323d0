/**
 * What health and movement declarations of every source share: the declaring person, checked
 * against their CCCD, and the declaration form each source codes its own way.
 */
import type { DeclarationType, Gender } from '../../../schemas/kinds/canonical-values.ts';
import type { DeclarationTypeCodes } from '../../source-vocabulary/declaration-types.ts';
import type { Person } from '../../../schemas/kinds/shared-records.ts';
import { requiredCode } from './rules/enums.ts';
import { checkAgainstCccd, type Identified } from './rules/identity.ts';
import type { QualityFlags } from './rules/quality-flags.ts';
import { text } from './rules/text.ts';

export interface DeclaredPerson {
  fullName: unknown;
  identified: Identified;
  /** Already checked to be in range (`checkBirthYear`, `birthYearOfDate`). */
  birthYear: number;
  gender: Gender | null;
  nationality: string | null;
}

/** The canonical person of a declaration: the name as written, the normalised document and phone, flagged where the CCCD disagrees. */
export function declaringPerson(declared: DeclaredPerson, flags: QualityFlags): Person {
  const { document, phone } = declared.identified;
  checkAgainstCccd(document, declared.birthYear, declared.gender, flags);
  return {
    full_name: text(declared.fullName),
    document,
    birth_year: declared.birthYear,
    gender: declared.gender,
    nationality: declared.nationality,
    phone,
  };
}

/** The declaration form from the source's code (in the field `codes.field`); the source's default when it is left out. */
export function declarationTypeOf(written: string | null | undefined, codes: DeclarationTypeCodes): DeclarationType {
  return written === null || written === undefined ? codes.whenAbsent : requiredCode(codes.codes, written, codes.field);
}
