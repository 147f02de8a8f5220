/** An `Authorization: Basic` header as a browser sends it after its prompt: any user name, the API key as password. */
export function basicAuth(password: string, user = 'ops'): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}` };
}
