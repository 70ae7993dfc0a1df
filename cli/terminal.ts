// Where a command writes: injected, so tests call commands with an in-memory terminal and the process
// entry passes stdout/stderr. Also the one error type a command throws for a clean exit code.

export interface TextSink {
  write(text: string): unknown;
}

export interface Terminal {
  stdout: TextSink;
  stderr: TextSink;
}

export function printLine(sink: TextSink, line = ''): void {
  sink.write(`${line}\n`);
}

/** Exit codes: 1 when the command failed (API error, invalid flow), 2 when it was called wrongly. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the user should read as is (no stack trace), with the exit code it ends the process with. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** Rows as columns padded to the widest cell; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Twilio's date format (ISO 8601, UTC, no milliseconds), or '' for a missing date. */
export function shortDate(date: Date | null | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}
