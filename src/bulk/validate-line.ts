import type { z } from 'zod';
import { BulkLine } from './bulk-line';
import type { SourceLine } from './read-lines';

export interface LineIssue {
  /** Dotted path of the offending field; `""` for the line as a whole. */
  field: string;
  message: string;
}

export type ValidatedLine =
  | { ok: true; source: SourceLine; line: BulkLine }
  | { ok: false; source: SourceLine; op?: string; code: 'invalid_json' | 'validation_failed'; message: string; issues: LineIssue[] };

function issuesOf(error: z.ZodError): LineIssue[] {
  return error.issues.flatMap((issue) => {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: field ? `${field}.${key}` : key, message: 'unknown field' }));
    }
    if (issue.code === 'invalid_union' && 'discriminator' in issue) {
      return [{ field, message: `must be one of ${(issue as { options?: unknown[] }).options?.map((o) => JSON.stringify(o)).join(', ')}` }];
    }
    return [{ field, message: issue.message }];
  });
}

/** Parses and validates one line; a rejection's message names the line and every offending field. */
export function validateLine(source: SourceLine): ValidatedLine {
  let value: unknown;
  try {
    value = JSON.parse(source.text);
  } catch (err) {
    const message = `line ${source.lineNumber}: not valid JSON (${(err as Error).message})`;
    return { ok: false, source, code: 'invalid_json', message, issues: [{ field: '', message: 'not valid JSON' }] };
  }
  const op = value && typeof value === 'object' && typeof (value as { op?: unknown }).op === 'string' ? (value as { op: string }).op : undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    const issues = [{ field: '', message: 'must be a JSON object such as {"op":"deploy", …}' }];
    return { ok: false, source, code: 'validation_failed', message: `line ${source.lineNumber}: must be a JSON object such as {"op":"deploy", …}`, issues };
  }
  // A missing field says "required" rather than "expected string, received undefined"; schemas' own messages win.
  const parsed = BulkLine.safeParse(value, { error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined) });
  if (parsed.success) return { ok: true, source, line: parsed.data };
  const issues = issuesOf(parsed.error);
  const message = `line ${source.lineNumber}: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ')}`;
  return { ok: false, source, op, code: 'validation_failed', message, issues };
}
