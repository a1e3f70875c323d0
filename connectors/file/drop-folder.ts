/**
 * The drop folder's conventions. Only complete files are read: a writer writes under a temporary
 * name and renames the file into place when it is complete (a rename within one file system is
 * atomic). Names starting with `.` and names not ending in a known format's extension (so
 * `*.part`, `*.tmp`, ...) are never read, nor the formats the folder's connector does not read. Files are read one at a time, in name order; a finished
 * file moves to `done/` with a JSON report next to it.
 */
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileFormat, type FileFormat } from './file-records.ts';

export const DONE_FOLDER = 'done';

/** Tells a file from a later one of the same name: a new file has another inode or size or time. */
export interface FileIdentity {
  ino: string;
  size: number;
  mtimeMs: number;
}

function isReadyFile(name: string, formats: ReadonlySet<FileFormat>): boolean {
  const format = fileFormat(name);
  return !name.startsWith('.') && format !== null && formats.has(format);
}

/** Names of the files of `formats` ready to be read, in name order (another connector may read the other formats). */
export async function readyFiles(dropDir: string, formats: ReadonlySet<FileFormat>): Promise<string[]> {
  const entries = await readdir(dropDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isReadyFile(entry.name, formats))
    .map((entry) => entry.name)
    .sort();
}

/** The file's identity, or null when it is gone. */
export async function fileIdentity(file: string): Promise<FileIdentity | null> {
  try {
    // bigint: inode numbers may exceed 2^53 on some file systems.
    const stats = await stat(file, { bigint: true });
    return { ino: String(stats.ino), size: Number(stats.size), mtimeMs: Number(stats.mtimeMs) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null)) !== null;
}

/**
 * Where `name` goes in `done/`: its own name, or when an earlier file of that name is there, the
 * name stamped with `finishedAt`. Chosen from the finish time (not the clock), so a move redone
 * after a crash picks the same place.
 */
async function doneName(doneDir: string, name: string, finishedAt: string): Promise<string> {
  if (!(await exists(path.join(doneDir, name)))) return name;
  const extension = path.extname(name);
  const stamp = finishedAt.replace(/[-:.]/g, '');
  return `${name.slice(0, name.length - extension.length)}.${stamp}${extension}`;
}

/** Writes the report, then moves the file next to it; returns the file's new path. */
export async function moveToDone(dropDir: string, name: string, finishedAt: string, report: object): Promise<string> {
  const doneDir = path.join(dropDir, DONE_FOLDER);
  await mkdir(doneDir, { recursive: true });
  const target = path.join(doneDir, await doneName(doneDir, name, finishedAt));
  const reportFile = `${target}.report.json`;
  await writeFile(`${reportFile}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  await rename(`${reportFile}.tmp`, reportFile);
  await rename(path.join(dropDir, name), target);
  return target;
}
