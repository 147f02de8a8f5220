import { createHash } from 'node:crypto';

// Crockford base32, lower case: the same DNS-safe alphabet as ids (src/ids.ts).
const HASH_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const MAX_HASH_LENGTH = Math.floor(256 / 5);

/** The longest a DNS label may be (RFC 1035). */
export const MAX_LABEL_LENGTH = 63;

/** Length of the hash that fitLabel appends; short enough to leave room, long enough (30 bits) to keep truncated labels apart. */
const FIT_HASH_LENGTH = 6;

/**
 * A deterministic, DNS-safe digest of `input`: the first `length` characters of its sha256, encoded 5 bits per character
 * in lower-case Crockford base32. The same input gives the same hash on every machine and every run, which is what lets
 * routing name things without drawing anything random.
 */
export function stableHash(input: string, length = 6): string {
  if (!Number.isInteger(length) || length < 1 || length > MAX_HASH_LENGTH) {
    throw new RangeError(`stableHash length must be an integer from 1 to ${MAX_HASH_LENGTH}, got ${length}`);
  }
  const digest = createHash('sha256').update(input, 'utf8').digest();
  let out = '';
  for (let i = 0; i < length; i++) {
    const bit = i * 5;
    const byte = bit >> 3;
    // Read 16 bits so a 5-bit group that straddles a byte boundary is whole; past the end reads as zero.
    const window = (digest[byte] << 8) | (byte + 1 < digest.length ? digest[byte + 1] : 0);
    out += HASH_ALPHABET[(window >> (11 - (bit & 7))) & 31];
  }
  return out;
}

/**
 * A slug: the rule, exactly.
 * 1. Lower-case, decompose with NFKD and drop combining marks (\p{M}), then lower-case again: accents fold away
 *    ("Café" → "cafe", "Ü" → "u"), compatibility forms fold to ASCII ("ﬁ" → "fi", full-width "Ａ" → "a"). Lower-casing
 *    first matters for letters whose lower case decomposes ("İ" → "i" + dot above → "i"); lower-casing after matters for
 *    forms that decompose to upper case.
 * 2. Every run of characters outside [a-z0-9] (spaces, punctuation, "/", "_", "-", and anything that did not fold to
 *    ASCII such as CJK, emoji or "ß") becomes a single "-".
 * 3. Leading and trailing "-" are removed.
 * 4. If nothing is left, the slug is "x" + stableHash(input): stable for the same input, different for different inputs,
 *    and itself a valid slug.
 * The result matches /^[a-z0-9]+(-[a-z0-9]+)*$/ and slugify(slugify(s)) === slugify(s). Length is not limited here;
 * a label built from slugs is fitted with fitLabel.
 */
export function slugify(input: string): string {
  const folded = input.toLowerCase().normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const slug = folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug === '' ? `x${stableHash(input)}` : slug;
}

/**
 * Fits a label into `max` characters. A label that fits is returned as it is. A longer one keeps its first characters
 * (without trailing "-") and ends in "-" + a hash of the whole label, so two long labels that share a prefix longer than
 * the kept part still come out different. The label is expected to be a slug already; this function does not sanitize.
 */
export function fitLabel(label: string, max = MAX_LABEL_LENGTH): string {
  if (!Number.isInteger(max) || max < FIT_HASH_LENGTH + 2) {
    throw new RangeError(`fitLabel max must be an integer of at least ${FIT_HASH_LENGTH + 2}, got ${max}`);
  }
  if (label.length <= max) return label;
  const hash = stableHash(label, FIT_HASH_LENGTH);
  const prefix = label.slice(0, max - 1 - hash.length).replace(/-+$/, '');
  return prefix === '' ? hash : `${prefix}-${hash}`;
}
