/**
 * The sunset's part of the OpenAPI document (services/api/openapi.ts merges it in).
 */
import { SUNSET_CONFIRMATION } from './sunset.ts';

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

export const sunsetPaths = {
  '/v1/sunset': {
    post: {
      summary: "End an epidemic's data life (operators; cannot be undone)",
      description:
        'Stops ingest, waits for the normalizer, the ClickHouse sink and every active subscription to catch up, erases what SUNSET_<STORE> says '
        + "(topics emptied; ClickHouse's row-level tables anonymised by default; the audit kept), rotates the person_key secret and destroys the old one, "
        + 'resumes ingest and writes the signed receipt to the disclosure audit. Only the API of the process running the whole pipeline (npm start) can.',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', required: ['confirm'], properties: { confirm: { const: SUNSET_CONFIRMATION } } } } },
      },
      responses: {
        200: {
          description: 'Done: the receipt (JSON text, exactly as signed), its Ed25519 signature (base64) and the public key that checks it.',
          content: {
            'application/json': {
              schema: { type: 'object', required: ['receipt', 'signature', 'publicKey'], properties: { receipt: { type: 'string' }, signature: { type: 'string' }, publicKey: { type: 'string' } } },
            },
          },
        },
        400: error('No confirmation phrase.'),
        401: error('No valid API key.'),
        403: error('Not an operator key.'),
        409: error('Not safe here: the secret comes from PERSON_KEY_SECRET, the normalizer runs in another process too, or the engine is elsewhere; or a sunset is running.'),
        413: error('Body over 1 KiB.'),
        500: error('Failed part way; the log says how far. Ingest is resumed.'),
        503: error('This process does not run the whole pipeline.'),
        504: error('The pipeline did not catch up in SUNSET_DRAIN_TIMEOUT_MS; nothing was erased and ingest is resumed.'),
      },
    },
  },
};
