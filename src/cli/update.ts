import type { FetchProgress } from '../data/registrySource.js';
import { updateRegistry } from '../data/registryUpdate.js';
import { configFrom } from './common.js';
import type { CliValues } from './main.js';

function mb(n: number): string {
  return (n / 1048576).toFixed(1);
}

/** One progress line per file, redrawn in place on a terminal and printed once per file otherwise. */
function progressPrinter(): (p: FetchProgress) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (p) => {
    const size = p.total !== null ? `${mb(p.received)} / ${mb(p.total)} MB` : `${mb(p.received)} MB`;
    if (tty) {
      const now = Date.now();
      if (!p.done && now - last < 100) return;
      last = now;
      process.stderr.write(`\r  ${p.file}: ${size}${p.done ? ' done\n' : ''}`);
    } else if (p.done) {
      process.stderr.write(`  ${p.file}: ${size}\n`);
    }
  };
}

export async function runUpdate(values: CliValues): Promise<number> {
  const config = configFrom(values);
  const quiet = values.quiet ?? false;
  if (!quiet) process.stderr.write(`Reading registry from ${config.registrySource}\n`);
  const result = await updateRegistry({
    source: config.registrySource,
    dataDir: config.dataDir,
    force: values.force ?? false,
    onProgress: quiet ? undefined : progressPrinter(),
  });
  if (!quiet) {
    for (const r of result.reports) {
      process.stderr.write(
        `  ${r.file}: ${r.layout}, ${r.encoding}, ${r.accepted} rows, ${r.rejectedCount} rejected\n`,
      );
      for (const x of r.rejected.slice(0, 10)) process.stderr.write(`    line ${x.line}: ${x.reason}\n`);
      if (r.rejectedCount > 10) process.stderr.write(`    … and ${r.rejectedCount - 10} more\n`);
    }
  }
  const m = result.meta;
  const before = result.previous ? ` (was ${result.previous.version}, ${result.previous.rows} ranges)` : '';
  process.stdout.write(
    `Registry ${m.version}: ${m.rows} ranges, ${m.operators} operators, written to ${result.path}${before}\n`,
  );
  return 0;
}
