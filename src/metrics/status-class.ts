/** "2xx", "4xx", "5xx" …: a status as a label of five values at most, whatever a client or an instance answers. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
