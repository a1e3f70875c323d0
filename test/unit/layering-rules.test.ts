/**
 * The layering rules (.dependency-cruiser.cjs, run by `npm run layers` in `npm test`) fail on a
 * violating import: a module placed for the moment beside the code it would break the layering of
 * is reported under the rule it breaks, and the check exits non-zero. The probes are removed after
 * each test, whether it passed or not.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../services/platform/config.ts';

const CLI = path.join(REPO_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const probes: string[] = [];

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Writes `source` to a probe module in `folder` and checks it (and what it imports) against the rules. */
function checkProbe(folder: string, source: string): { exitCode: number | null; probe: string; violations: Violation[] } {
  const probe = `${folder}/layers-probe-${randomUUID().slice(0, 8)}.ts`;
  probes.push(path.join(REPO_ROOT, probe));
  writeFileSync(path.join(REPO_ROOT, probe), source);
  const cruise = (outputType: string) =>
    spawnSync(process.execPath, [CLI, '--config', '.dependency-cruiser.cjs', '--output-type', outputType, probe], { cwd: REPO_ROOT, encoding: 'utf8' });
  const result = JSON.parse(cruise('json').stdout) as { summary: { violations: Violation[] } };
  // The exit code is that of `npm run layers` (its output type), which is what fails CI.
  return { exitCode: cruise('err').status, probe, violations: result.summary.violations };
}

afterEach(() => {
  for (const probe of probes.splice(0)) rmSync(probe, { force: true });
});

describe('layering rules', () => {
  it('refuse platform importing a stage', () => {
    const { exitCode, probe, violations } = checkProbe('services/platform', "export { startNormalizer } from '../normalizer/normalizer.ts';\n");
    expect(violations).toContainEqual(expect.objectContaining({ rule: expect.objectContaining({ name: 'platform-is-the-bottom' }), from: probe, to: 'services/normalizer/normalizer.ts' }));
    expect(exitCode).not.toBe(0);
  });

  it("refuse a stage importing another stage's internals", () => {
    const { exitCode, probe, violations } = checkProbe('services/normalizer', "export { startFanout } from '../fanout/fanout.ts';\n");
    expect(violations).toContainEqual(expect.objectContaining({ rule: expect.objectContaining({ name: 'stages-do-not-import-each-other' }), from: probe, to: 'services/fanout/fanout.ts' }));
    expect(exitCode).not.toBe(0);
  });

  it('refuse loading the demo feed (and the generator with it) other than on demand', () => {
    const { exitCode, probe, violations } = checkProbe('services/cli', "export { startDemoFeed } from '../demo/demo-feed.ts';\n");
    expect(violations).toContainEqual(expect.objectContaining({ rule: expect.objectContaining({ name: 'demo-feed-loaded-on-demand' }), from: probe }));
    expect(exitCode).not.toBe(0);
  });

  it('admit what the layering allows: platform within itself, a stage on platform, the demo feed by dynamic import', () => {
    for (const [folder, source] of [
      ['services/platform', "export { loadConfig } from './config.ts';\n"],
      ['services/normalizer', "export { RawRecordCodec } from '../platform/raw-records.ts';\nexport { partitionKey } from './mapping/index.ts';\n"],
      ['services/cli', "export const feed = () => import('../demo/demo-feed.ts');\n"],
    ] as const) {
      const { exitCode, violations } = checkProbe(folder, source);
      expect(violations, `${folder}: ${source}`).toEqual([]);
      expect(exitCode).toBe(0);
    }
  });
});
