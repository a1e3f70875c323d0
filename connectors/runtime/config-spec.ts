/**
 * A connector type's configuration, declared once: each field with its type, default, range,
 * documentation and checks. `validateConfig` is the one place a configuration is judged; it
 * answers field by field (the shape of Kafka Connect's `config/validate`), so the API, the start-up
 * defaults and a stored instance read back all pass the same checks.
 */

export type ConfigValue = string | number | null;
/** A configuration as given: field name to value (a field left out takes its default). */
export type ConnectorConfig = Record<string, ConfigValue>;

export type FieldType = 'string' | 'int' | 'password';

/** What the checks of one instance may look at besides its own fields. */
export interface ValidationContext {
  /** The instance's own name (null when only a configuration is validated). */
  name: string | null;
  /** The other instances, as stored: two instances must not read the same thing. */
  others: readonly { name: string; type: string; config: ConnectorConfig }[];
}

export interface FieldSpec {
  name: string;
  type: FieldType;
  /** Absent: the field is required. */
  default?: ConfigValue;
  doc: string;
  /** Bounds of an `int`. */
  min?: number;
  max?: number;
  /**
   * Problems with a value of the right type, given the whole configuration (defaults filled in) for
   * checks that involve several fields. Runs only when the value is present and typed right.
   */
  check?: (value: string | number, config: ConnectorConfig, context: ValidationContext) => string[] | Promise<string[]>;
}

export interface FieldDefinition {
  name: string;
  type: FieldType;
  required: boolean;
  default_value: ConfigValue;
  documentation: string;
}

export interface FieldResult {
  definition: FieldDefinition;
  /** The value as given (a password's hidden), and what is wrong with it. */
  value: { name: string; value: ConfigValue; errors: string[] };
}

export interface ValidationReport {
  type: string;
  error_count: number;
  configs: FieldResult[];
}

/** Values shown in place of a password, in answers and logs. */
export const HIDDEN = '[hidden]';

/** Fills in defaults; the configuration must have passed validateConfig. */
export function withDefaults(fields: readonly FieldSpec[], config: ConnectorConfig): ConnectorConfig {
  return Object.fromEntries(fields.map((field) => [field.name, Object.hasOwn(config, field.name) ? config[field.name]! : (field.default ?? null)]));
}

/** The configuration with its passwords hidden, for answers. */
export function redacted(fields: readonly FieldSpec[], config: ConnectorConfig): ConnectorConfig {
  const secret = new Set(fields.filter((field) => field.type === 'password').map((field) => field.name));
  return Object.fromEntries(Object.entries(config).map(([name, value]) => [name, secret.has(name) && value !== null ? HIDDEN : value]));
}

export function fieldDefinition(field: FieldSpec): FieldDefinition {
  return { name: field.name, type: field.type, required: field.default === undefined, default_value: field.default ?? null, documentation: field.doc };
}

function typeProblem(field: FieldSpec, value: unknown): string | null {
  if (value === null) return field.default === undefined ? 'is required' : null;
  if (field.type === 'int') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return 'must be an integer';
    if (field.min !== undefined && value < field.min) return `must be at least ${field.min}`;
    if (field.max !== undefined && value > field.max) return `must be at most ${field.max}`;
    return null;
  }
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > 2048) return 'must be at most 2048 characters';
  return null;
}

/**
 * Judges `input` against the fields: every field answers with its errors (none when it is right);
 * members the type does not have are errors of their own. `config` is the configuration to store
 * (as given, without defaults) when there is no error.
 */
export async function validateConfig(
  type: string,
  fields: readonly FieldSpec[],
  input: unknown,
  context: ValidationContext,
): Promise<{ report: ValidationReport; config: ConnectorConfig | null }> {
  const given: Record<string, unknown> = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const known = new Set(fields.map((field) => field.name));
  const values = withDefaults(fields, given as ConnectorConfig);
  const configs: FieldResult[] = [];
  for (const field of fields) {
    const value = values[field.name] as unknown;
    const problem = typeProblem(field, value);
    const errors = problem !== null ? [problem] : value === null || !field.check ? [] : await field.check(value as string | number, values, context);
    const shown = field.type === 'password' && value !== null ? HIDDEN : (value as ConfigValue);
    configs.push({ definition: fieldDefinition(field), value: { name: field.name, value: Object.hasOwn(given, field.name) ? shown : null, errors } });
  }
  for (const name of Object.keys(given).filter((member) => !known.has(member))) {
    configs.push({
      definition: { name, type: 'string', required: false, default_value: null, documentation: '' },
      value: { name, value: null, errors: [`is not a field of ${type} connectors (they have ${[...known].join(', ')})`] },
    });
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    configs.push({
      definition: { name: '(config)', type: 'string', required: true, default_value: null, documentation: 'the configuration: a JSON object of field values' },
      value: { name: '(config)', value: null, errors: ['must be a JSON object of field values'] },
    });
  }
  const errorCount = configs.reduce((sum, result) => sum + result.value.errors.length, 0);
  const config = errorCount === 0 ? (Object.fromEntries(Object.entries(given).filter(([name]) => known.has(name))) as ConnectorConfig) : null;
  return { report: { type, error_count: errorCount, configs }, config };
}
