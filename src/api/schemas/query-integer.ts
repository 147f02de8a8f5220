import { z } from '@hono/zod-openapi';

// Plain decimal digits only: Number() and z.coerce also take '0x1', '+5', '1e1', ' 5' and '' (as 0).
const DECIMAL = /^[0-9]{1,10}$/;

interface QueryIntegerOptions {
  min: number;
  max: number;
  /** Said in the message: "a whole number of <unit>". */
  unit?: string;
  /** Replaces the generated message. */
  message?: string;
}

function strictInteger(options: QueryIntegerOptions) {
  const message =
    options.message ?? `must be a whole number${options.unit ? ` of ${options.unit}` : ''} from ${options.min} to ${options.max}, in plain decimal digits`;
  return z.preprocess(
    (value) => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value),
    z.number({ error: message }).int(message).min(options.min, message).max(options.max, message),
  );
}

/**
 * An integer query parameter: only plain decimal digits, then a range check; anything else (an empty value, a sign,
 * hex, an exponent, spaces, the parameter given twice) is a 400 naming the parameter. Published as an integer with
 * its bounds. Absent: `fallback`.
 */
export function queryInteger(options: QueryIntegerOptions & { default: number }) {
  return strictInteger(options).default(options.default);
}

/** The same, optional, without a default. */
export function optionalQueryInteger(options: QueryIntegerOptions) {
  return strictInteger(options).optional();
}
