/**
 * The content-id function of the tests' deployment (the secret worker-setup gives every service of
 * a run): generated items carry the record ids the pipeline computes only when made with it.
 */
import { createContentId, type ContentIdFunction } from '../../services/platform/event-id.ts';
import { loadConfig } from '../../services/platform/config.ts';
import { loadPersonKeySecret } from '../../services/platform/person-key.ts';

export function deploymentContentId(): ContentIdFunction {
  return createContentId(loadPersonKeySecret(loadConfig().normalizer, false));
}
