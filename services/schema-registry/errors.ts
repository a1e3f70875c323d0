/**
 * Errors in the shape Confluent's clients expect: an HTTP status plus a body
 * `{ "error_code": 40401, "message": "..." }`. Client libraries branch on error_code, so the codes
 * and statuses below follow Confluent's table exactly.
 */

export interface ErrorBody {
  error_code: number;
  message: string;
}

export class RegistryError extends Error {
  readonly status: number;
  readonly errorCode: number;
  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
    this.errorCode = errorCode;
  }

  toBody(): ErrorBody {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const errors = {
  subjectNotFound: (subject: string) => new RegistryError(404, 40401, `Subject '${subject}' not found.`),
  versionNotFound: (version: number | string) => new RegistryError(404, 40402, `Version ${version} not found.`),
  schemaNotFound: (detail = 'Schema not found') => new RegistryError(404, 40403, detail),
  subjectSoftDeleted: (subject: string) =>
    new RegistryError(404, 40404, `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (subject: string) =>
    new RegistryError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: number) =>
    new RegistryError(
      404,
      40406,
      `Subject '${subject}' Version ${version} was soft deleted. Set permanent=true to delete permanently`,
    ),
  versionNotSoftDeleted: (subject: string, version: number) =>
    new RegistryError(
      404,
      40407,
      `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    ),
  subjectCompatibilityNotConfigured: (subject: string) =>
    new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`),
  subjectModeNotConfigured: (subject: string) =>
    new RegistryError(404, 40409, `Subject '${subject}' does not have subject-level mode configured`),
  invalidSchema: (detail: string) => new RegistryError(422, 42201, detail),
  invalidVersion: (version: string) =>
    new RegistryError(
      422,
      42202,
      `The specified version '${version}' is not a valid version id. ` +
        'Allowed values are between [1, 2^31-1] and the string "latest"',
    ),
  invalidCompatibilityLevel: () =>
    new RegistryError(
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, ' +
        'forward_transitive, and full_transitive',
    ),
  invalidMode: () => new RegistryError(422, 42204, 'Invalid mode. Valid values are READWRITE and READONLY'),
  /** Confluent's wording for writes refused by READONLY mode. */
  readOnlySubject: (subject: string) => new RegistryError(422, 42205, `Subject ${subject} is in read-only mode`),
  readOnlyRegistry: () => new RegistryError(422, 42205, 'The registry is in read-only mode'),
  unauthorized: (detail: string) => new RegistryError(401, 40101, `Unauthorized: ${detail}`),
  forbidden: (detail: string) => new RegistryError(403, 40301, `Forbidden: ${detail}`),
  tooManyFailedLogins: (retryAfterSeconds: number) =>
    new RegistryError(429, 42901, `Too many failed logins for this user from this address; retry in ${retryAfterSeconds} s`),
  incompatibleSchema: (subject: string, details: readonly string[]) =>
    new RegistryError(
      409,
      409,
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${details.join('; ')}]`,
    ),
  storeError: (detail: string) => new RegistryError(500, 50001, `Error in the backend data store - ${detail}`),
  timeout: (detail: string) => new RegistryError(500, 50002, `Operation timed out - ${detail}`),
  routeNotFound: () => new RegistryError(404, 404, 'HTTP 404 Not Found'),
};

/** Fastify's own errors (bad JSON, body too large, unsupported media type) carry a 4xx statusCode. */
function clientStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return null;
  const status = (error as { statusCode: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

/**
 * Turns anything thrown while serving a request into a status and Confluent-shaped body. Kafka
 * client failures count as backend store errors so clients see 50001 rather than a bare 500.
 */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof RegistryError) return { status: error.status, body: error.toBody() };
  const status = clientStatus(error);
  if (status !== null) {
    const message = error instanceof Error ? error.message : 'Bad request';
    return { status, body: { error_code: status, message } };
  }
  if (error instanceof Error && error.name.startsWith('KafkaJS')) {
    if (error.name.includes('Timeout')) return { status: 500, body: errors.timeout(error.message).toBody() };
    return { status: 500, body: errors.storeError(error.message).toBody() };
  }
  return { status: 500, body: { error_code: 500, message: 'Internal Server Error' } };
}
