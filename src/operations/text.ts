import { z } from 'zod';

// PostgreSQL refuses NUL in text and ill-formed UTF-16 (a lone surrogate) cannot be stored: both must be a 400, not a 500.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** A one-line value (ids, names, branches): no control characters, well-formed. */
export function lineText(max: number) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !CONTROL.test(v), 'must not contain control characters')
    .refine((v) => !LONE_SURROGATE.test(v), 'must be well-formed text (no unpaired surrogate)');
}

/** Free text that may span lines (messages, reasons, env values): tabs and newlines allowed, other control characters not. */
export function freeText(max: number) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !CONTROL_BUT_LINES.test(v), 'must not contain control characters other than tab and newline')
    .refine((v) => !LONE_SURROGATE.test(v), 'must be well-formed text (no unpaired surrogate)');
}
