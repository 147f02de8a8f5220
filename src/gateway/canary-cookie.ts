import { CANARY_COOKIE } from './route-table';

const NAME = `${CANARY_COOKIE}=`;
// Longer than any value the gateway sets (`<deployment id>.<c|s>`): anything longer is not ours, and is not copied.
const MAX_VALUE = 128;

/**
 * The value of the client's `df_canary` cookie, read from the raw header list (no header object is built); undefined
 * when there is none. Only asked for weighted routes. Whatever the client sent, this never throws: a malformed or
 * forged value simply matches no side and the client is dealt one anew.
 */
export function canaryCookieValue(rawHeaders: readonly string[]): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length !== 6 || name.toLowerCase() !== 'cookie') continue;
    const header = rawHeaders[i + 1];
    for (let at = header.indexOf(NAME); at !== -1; at = header.indexOf(NAME, at + 1)) {
      // The name must start a cookie pair (`x_df_canary=` is another cookie).
      if (at !== 0 && header[at - 1] !== ' ' && header[at - 1] !== ';') continue;
      const start = at + NAME.length;
      const end = header.indexOf(';', start);
      const stop = end === -1 ? header.length : end;
      if (stop - start > MAX_VALUE) return undefined;
      return header.slice(start, stop).trim();
    }
  }
  return undefined;
}
