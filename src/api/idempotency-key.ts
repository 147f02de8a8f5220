/** An `Idempotency-Key` header: 1 to 255 printable ASCII characters (it is stored, and echoed in no header). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
