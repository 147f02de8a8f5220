/** A line of a bulk file that carries an operation: its 1-based number in the file and its text. */
export interface SourceLine {
  lineNumber: number;
  text: string;
}

/** Splits a bulk file into its operation lines: empty lines and `#` comments are skipped, numbering follows the file. */
export function readBulkLines(content: string): SourceLine[] {
  const lines: SourceLine[] = [];
  content.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    lines.push({ lineNumber: index + 1, text });
  });
  return lines;
}
