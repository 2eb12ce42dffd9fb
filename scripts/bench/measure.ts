/** Shared helpers for the benchmarks: medians and a plain table. */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function printTable(title: string, rows: ReadonlyArray<readonly [string, number, number]>, ratioLabel: string): void {
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`\n${title}\n`);
  for (const [name, ms, ratio] of rows) process.stdout.write(`  ${name.padEnd(width)}  ${ms.toFixed(2).padStart(9)} ms  ${ratio.toFixed(2)}x\n`);
  process.stdout.write(`  (${ratioLabel})\n`);
}
