/**
 * `npm start`'s live view: one line per stage with its running total and current rate, redrawn in
 * place on a terminal (a fresh block every `logEveryMs` when the output is a file or a pipe), plus
 * the latest warning and the latest crash with its cause, so a glance tells whether records flow
 * end to end.
 */
import { formatCrash, type StageCrash } from './platform/stage-crash.ts';

export interface Stage {
  name: string;
  /** The stage's running total (records). */
  total(): number | Promise<number>;
  /** Extra figures shown after the rate (e.g. "3 failing"). */
  detail?(): string | Promise<string>;
}

export interface LiveStatusOptions {
  stages: Stage[];
  out: NodeJS.WriteStream;
  intervalMs?: number;
  /** When the output is not a terminal, how often a block is printed. */
  logEveryMs?: number;
  /** The latest warning or error to show, if any. */
  lastProblem?: () => string | null;
  /** The latest crash of any stage, if any (a line is shown only when given). */
  lastCrash?: () => StageCrash | null;
}

const format = (n: number) => Math.round(n).toLocaleString('en-US');

export class LiveStatus {
  private readonly options: Required<Omit<LiveStatusOptions, 'lastProblem' | 'lastCrash'>> & Pick<LiveStatusOptions, 'lastProblem' | 'lastCrash'>;
  private readonly previous = new Map<string, { total: number; at: number }>();
  private timer: NodeJS.Timeout | null = null;
  private drawnLines = 0;
  private lastPrinted = 0;

  constructor(options: LiveStatusOptions) {
    this.options = { intervalMs: 1_000, logEveryMs: 30_000, ...options };
  }

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The lines for the stages' current figures; rates are per second since the previous render. */
  async render(now = performance.now()): Promise<string[]> {
    const lines: string[] = [];
    for (const stage of this.options.stages) {
      const total = await stage.total();
      const before = this.previous.get(stage.name);
      const rate = before && now > before.at ? ((total - before.total) * 1000) / (now - before.at) : 0;
      this.previous.set(stage.name, { total, at: now });
      const detail = stage.detail ? `  ${await stage.detail()}` : '';
      lines.push(`  ${stage.name.padEnd(16)} ${format(total).padStart(12)}  ${`${format(rate)}/s`.padStart(9)}${detail}`);
    }
    const problem = this.options.lastProblem?.();
    lines.push(`  ${'last warning'.padEnd(16)} ${problem ?? 'none'}`);
    if (this.options.lastCrash) {
      const crash = this.options.lastCrash();
      lines.push(`  ${'last crash'.padEnd(16)} ${crash ? formatCrash(crash) : 'none'}`);
    }
    return lines;
  }

  private async refresh(): Promise<void> {
    const { out } = this.options;
    const lines = await this.render().catch((error: Error) => [`  status unavailable: ${error.message}`]);
    if (out.isTTY) {
      const width = out.columns ?? 120;
      // Up over the last block, then each line cleared and rewritten.
      if (this.drawnLines > 0) out.write(`\x1b[${this.drawnLines}A`);
      out.write(lines.map((line) => `\x1b[2K${line.slice(0, width - 1)}\n`).join(''));
      this.drawnLines = lines.length;
    } else if (Date.now() - this.lastPrinted >= this.options.logEveryMs) {
      this.lastPrinted = Date.now();
      out.write(`${new Date().toISOString()}\n${lines.join('\n')}\n`);
    }
  }
}
