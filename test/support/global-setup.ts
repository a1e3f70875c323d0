/**
 * Starts (or reuses) the stack once for the whole test run and hands its addresses to the workers.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { TEST_CLICKHOUSE_ROOT } from './paths.ts';
import { clusterStack, containerStack, externalStack, nativeStack, type StackEnv, type TestStack } from './stack-modes.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: StackEnv;
    clickhouseRoot: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mode = process.env.TRUC_TEST_STACK ?? 'native';
  let stack: TestStack;
  if (mode === 'native') stack = await nativeStack();
  else if (mode === 'cluster') stack = await clusterStack();
  else if (mode === 'containers') stack = await containerStack();
  else if (mode === 'external') stack = await externalStack();
  else throw new Error(`TRUC_TEST_STACK=${JSON.stringify(mode)} must be native, cluster, containers or external`);

  project.provide('stackEnv', stack.env);
  // This run's folder only: another run on the same machine may still use its own.
  const clickhouseRoot = path.join(TEST_CLICKHOUSE_ROOT, `run-${process.pid}`);
  project.provide('clickhouseRoot', clickhouseRoot);
  return async () => {
    await stack.stop();
    rmSync(clickhouseRoot, { recursive: true, force: true });
  };
}
