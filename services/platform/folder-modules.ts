/**
 * Loads the module a folder holds under a fixed file name (a source's `mapping.ts`, a kind's
 * `clickhouse.ts`), for every folder of a registry: how a new source or kind is picked up from its
 * folder and its one registry line, without a second list of imports to keep in step.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './config.ts';

/**
 * By name, the named export of `<folder of the name>/<file>` (folders relative to the repository's
 * root): every folder must have the file unless `optional`, when folders without it are left out.
 */
export async function loadFolderModules<N extends string, T>(
  names: readonly N[],
  folderOf: (name: N) => string,
  file: string,
  exportName: string,
  optional = false,
): Promise<Map<N, T>> {
  const loaded = new Map<N, T>();
  for (const name of names) {
    const folder = folderOf(name);
    const absolute = path.join(REPO_ROOT, folder, file);
    if (!existsSync(absolute)) {
      if (optional) continue;
      throw new Error(`${folder}/${file} is missing`);
    }
    const module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
    if (module[exportName] === undefined) throw new Error(`${folder}/${file} does not export ${exportName}`);
    loaded.set(name, module[exportName] as T);
  }
  return loaded;
}
