export type Column<T> = readonly [title: string, get: (row: T) => string];

/** A plain-text table with a header row, columns padded to their widest cell. */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((r) => columns.map(([, get]) => get(r)));
  const widths = columns.map(([title], i) =>
    Math.max(title.length, ...cells.map((row) => [...(row[i] ?? '')].length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...c].length)))
      .join('  ')
      .trimEnd();
  return [line(columns.map(([t]) => t)), ...cells.map(line)].join('\n') + '\n';
}
