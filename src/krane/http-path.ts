/**
 * The path part of an HTTP URL the control plane requests from an instance (health check, OpenAPI document): an
 * absolute path of RFC 3986 path characters, percent-encoded where needed. It never starts with `//` (that would name
 * another host), and has no query, fragment, whitespace, control character or raw non-ASCII character, so it can be
 * appended to `http://<instance address>` as is. Shared by the API's deploy request and Krane's request validation.
 * Written to mean the same with and without the `u` flag, because it is published in the OpenAPI document.
 */
export const HTTP_PATH_PATTERN = /^\/(?!\/)(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

export const MAX_HTTP_PATH_LENGTH = 512;

export const HTTP_PATH_RULE = "an absolute path such as /healthz: starting with a single '/', RFC 3986 path characters or %XX escapes, no query, fragment or whitespace";

export function isHttpPath(value: string): boolean {
  return value.length <= MAX_HTTP_PATH_LENGTH && HTTP_PATH_PATTERN.test(value);
}
