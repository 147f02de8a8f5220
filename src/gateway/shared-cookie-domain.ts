/**
 * Whether a `Set-Cookie` value names, in its Domain attribute, a domain every tenant's generated hostname is under:
 * the apex domain (`deploy.localhost`) or one of its parents (`localhost`). Every hostname the gateway routes there
 * is `<project>-<workspace>.<apex>`, so such a cookie reaches every other tenant's app too, the browser sending it
 * (and letting it shadow theirs) on each of their requests. The gateway drops those cookies; a cookie for the app's own
 * hostname (no Domain, or Domain equal to it) and one for a custom domain outside the apex pass as they are.
 */
export function namesASharedDomain(setCookie: string, apex: string): boolean {
  // Attributes follow the first ';' (RFC 6265 §5.2): a value that never says "domain" cannot name one.
  const attributes = setCookie.indexOf(';');
  if (attributes < 0 || !/domain/i.test(setCookie)) return false;
  for (const attribute of setCookie.slice(attributes + 1).split(';')) {
    const equals = attribute.indexOf('=');
    if (equals < 0 || attribute.slice(0, equals).trim().toLowerCase() !== 'domain') continue;
    // A leading dot is ignored (§5.2.3); a Domain attribute that is empty is ignored by the browser too.
    const domain = attribute.slice(equals + 1).trim().replace(/^\./, '').toLowerCase();
    if (domain !== '' && (apex === domain || apex.endsWith(`.${domain}`))) return true;
  }
  return false;
}
