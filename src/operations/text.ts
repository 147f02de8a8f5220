import { z } from 'zod';

/*
 * The one rule every string from a request passes (body, query, header, path; HTTP, gRPC and the enqueue script):
 * well-formed text that PostgreSQL can store as sent. NUL is refused by PostgreSQL (a 500 if it got that far), and
 * an unpaired surrogate is not text at all (the driver would silently store U+FFFD instead); both are a 400 naming
 * the field. One-line values refuse every other control character too; free text keeps tab, newline and return.
 *
 * The rules are written as one regular expression per field, not as refinements, because the published OpenAPI
 * document shows a field's pattern (and its length bounds) and nothing else of what zod checks: the pattern is what
 * makes the document accept exactly what the API accepts. (Lengths agree as they are: zod's `.max()` counts code
 * points, as JSON Schema's maxLength does.) The expressions mean the same with and without the `u` flag (JSON
 * Schema validators differ on that): a surrogate is accepted only as a high-low pair, and no \p{…} classes are used.
 */

/** A high surrogate followed by a low one: a character outside the Basic Multilingual Plane (emoji and the like). */
export const SURROGATE_PAIR = '[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]';

/** Unicode general category Cc (C0 controls, DEL, C1 controls), plus surrogates, which are handled by SURROGATE_PAIR. */
export const NOT_LINE_CHARACTER = '\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF';
/** The same, but tab, newline and carriage return are allowed. */
const NOT_FREE_CHARACTER = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF';

export type TextKind = 'line' | 'free';

/** One character (code point) of text of this kind, as a regular expression group. */
export function textCharacter(kind: TextKind, alsoExcluded = ''): string {
  return `(?:[^${alsoExcluded}${kind === 'line' ? NOT_LINE_CHARACTER : NOT_FREE_CHARACTER}]|${SURROGATE_PAIR})`;
}

/** Text of this kind; `nonBlank`: with at least one character that is not white space. */
export function textPattern(kind: TextKind, options: { nonBlank?: boolean } = {}): RegExp {
  return new RegExp(`^${options.nonBlank ? '(?=[\\s\\S]*\\S)' : ''}${textCharacter(kind)}*$`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LINE_BREAKS = /[\t\n\r]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** What is wrong with a value as text of this kind, worst first; `undefined` when nothing is. */
export function textProblem(value: string, kind: TextKind): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed text (no unpaired surrogate)';
  if (kind === 'line' && LINE_BREAKS.test(value)) return 'must be a single line (no tab or line break)';
  if ((kind === 'line' ? CONTROL : CONTROL_BUT_LINES).test(value)) {
    return kind === 'line' ? 'must not contain control characters' : 'must not contain control characters other than tab and newline';
  }
  return undefined;
}

/** The message for a value that failed a text pattern: what is wrong with it, else `otherwise`. */
export function describeText(kind: TextKind, otherwise: string) {
  return (issue: { input?: unknown }) => (typeof issue.input === 'string' ? textProblem(issue.input, kind) : undefined) ?? otherwise;
}

const typeError = (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : 'must be a string');

/** A one-line value (ids, names, branches): no control characters, well-formed, at most `max` characters. */
export function lineText(max: number) {
  return z
    .string({ error: typeError })
    .max(max, `must be at most ${max} characters`)
    .regex(textPattern('line'), { error: describeText('line', 'must be well-formed text') });
}

/**
 * A one-line value that must say something (project ids, environment, branch, names): trimmed, then not empty. The
 * pattern says "not blank" too, so the published document refuses what the API refuses.
 */
export function nonBlankLineText(max: number) {
  return z
    .string({ error: typeError })
    .max(max, `must be at most ${max} characters`)
    .regex(textPattern('line', { nonBlank: true }), { error: describeText('line', 'must not be empty') })
    .trim();
}

/** Free text that may span lines (messages, reasons, env values): tabs and newlines allowed, other control characters not. */
export function freeText(max: number) {
  return z
    .string({ error: typeError })
    .max(max, `must be at most ${max} characters`)
    .regex(textPattern('free'), { error: describeText('free', 'must be well-formed text') });
}
