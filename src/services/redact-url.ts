/** A connection URL fit for logs and error messages: the password (if any) replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, (m) => (url.endsWith('/') ? m : ''));
  } catch {
    // Not parseable: say nothing of what may be a secret beyond the scheme.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
    return scheme ? `${scheme}//(unparseable URL)` : '(unparseable URL)';
  }
}

/** `text` with the URL's password (plain or percent-encoded) cut out, for messages that may quote the URL. */
export function withoutPassword(text: string, url: string): string {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    return text;
  }
  if (!password) return text;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // keep the encoded form only
  }
  return text.split(password).join('***').split(decoded).join('***');
}
