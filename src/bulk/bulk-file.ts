import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UndoRoutesBody } from '../api/schemas/route';
import { IdOrSlugParam, Slug } from '../api/schemas/common';
import { DeployRequest } from '../operations/deploy-request';
import { PromoteBody, RollbackBody } from '../operations/switch-request';

/*
 * A bulk file: one operation per line, as JSON. This module reads the file into numbered lines, validates each
 * against the API's own schemas and gives each its idempotency key. How a line is then run (over the HTTP API, or
 * straight against the database) is the business of api-lines.ts and direct-lines.ts.
 */

/** A line of a bulk file that carries an operation: its 1-based number in the file and its text. */
export interface SourceLine {
  lineNumber: number;
  text: string;
}

/** Splits a bulk file into its operation lines: empty lines and `#` comments are skipped, numbering follows the file. */
export function readBulkLines(content: string): SourceLine[] {
  const lines: SourceLine[] = [];
  content
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const text = raw.trim();
      if (text === '' || text.startsWith('#')) return;
      lines.push({ lineNumber: index + 1, text });
    });
  return lines;
}

/*
 * Each shape is the API's own schema (request body plus what the API takes from the path) with the operation and the
 * workspace slug added, so a line is valid exactly when the same request would be valid over HTTP. Strict objects: an
 * unknown field is an error, never silently ignored. `workspace` is optional here: over the API the key decides the
 * workspace; the direct mode (which can reach every workspace) requires it.
 */
const base = { workspace: Slug.optional() };

export const DeployLine = z.strictObject({ op: z.literal('deploy'), ...base, ...DeployRequest.shape });
export const RollbackLine = z.strictObject({
  op: z.literal('rollback'),
  ...base,
  projectId: IdOrSlugParam,
  targetDeploymentId: IdOrSlugParam,
  ...RollbackBody.shape,
});
export const PromoteLine = z.strictObject({ op: z.literal('promote'), ...base, projectId: IdOrSlugParam, targetDeploymentId: IdOrSlugParam, ...PromoteBody.shape });
export const UndoLine = z.strictObject({ op: z.literal('undo'), ...base, projectId: IdOrSlugParam, ...UndoRoutesBody.shape });
export const CancelLine = z.strictObject({ op: z.literal('cancel'), ...base, deploymentId: IdOrSlugParam });
/** Backfill: fetch a ready deployment's OpenAPI document again from its running instances (direct mode only). */
export const RescrapeOpenapiLine = z.strictObject({ op: z.literal('rescrape-openapi'), ...base, deploymentId: IdOrSlugParam });

export const BulkLine = z.discriminatedUnion('op', [DeployLine, RollbackLine, PromoteLine, UndoLine, CancelLine, RescrapeOpenapiLine]);
export type BulkLine = z.infer<typeof BulkLine>;

export interface LineIssue {
  /** Dotted path of the offending field; `""` for the line as a whole. */
  field: string;
  message: string;
}

export type ValidatedLine =
  | {
      ok: true;
      source: SourceLine;
      line: BulkLine;
      /** The line as written, as an object: what goes over the wire in API mode (the API applies its own defaults). */
      raw: Record<string, unknown>;
    }
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
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    const issues = [{ field: '', message: 'must be a JSON object such as {"op":"deploy", …}' }];
    return { ok: false, source, code: 'validation_failed', message: `line ${source.lineNumber}: must be a JSON object such as {"op":"deploy", …}`, issues };
  }
  const raw = value as Record<string, unknown>;
  const op = typeof raw.op === 'string' ? raw.op : undefined;
  // A missing field says "required" rather than "expected string, received undefined"; schemas' own messages win.
  const parsed = BulkLine.safeParse(value, { error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined) });
  if (parsed.success) return { ok: true, source, line: parsed.data, raw };
  const issues = issuesOf(parsed.error);
  const message = `line ${source.lineNumber}: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ')}`;
  return { ok: false, source, op, code: 'validation_failed', message, issues };
}

/**
 * The idempotency key of each valid line: a hash of the line's text and its workspace, so running a file again (or a
 * file with lines added, removed or reordered, or the same file under another name) finds the operations the same
 * lines created before. A line repeated word for word is numbered by its occurrence: the second copy is an operation
 * of its own, as the file says. Both modes use the same key, so a line run in one mode is not applied again by the other.
 */
export function lineIdempotencyKeys(lines: Array<{ lineNumber: number; text: string; workspace?: string }>): Map<number, string> {
  const seen = new Map<string, number>();
  const keys = new Map<number, string>();
  for (const line of lines) {
    const identity = `${line.workspace ?? ''}\n${line.text}`;
    const occurrence = seen.get(identity) ?? 0;
    seen.set(identity, occurrence + 1);
    const hash = createHash('sha256').update(`${identity}\n${occurrence}`).digest('hex');
    keys.set(line.lineNumber, `bulk:${hash.slice(0, 40)}`);
  }
  return keys;
}
