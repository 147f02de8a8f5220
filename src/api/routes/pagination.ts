/** Keyset pagination as the list routes do it: fetch one row more than the page, which tells whether another follows. */

/** The sentence every cursor-paginated list's description ends with; `items` names what it lists ("projects"). */
export function cursorPaginationText(items: string): string {
  return `Cursor pagination: pass \`nextCursor\` from one page as \`cursor\` for the next; ${items} created meanwhile never shift a page.`;
}

/**
 * The query for a page of the rows matching `where`, newest first (ids sort by creation time): those older than the
 * cursor, one more than the page.
 */
export function newestFirst<W extends object>({ limit, cursor }: { limit: number; cursor?: string }, where: W) {
  return { where: { ...where, ...(cursor ? { id: { lt: cursor } } : {}) }, orderBy: { id: 'desc' as const }, take: limit + 1 };
}

/** The page in `rows` (fetched with `take: limit + 1`): its items, and the cursor of the next page when there is one. */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (last: T) => string): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? cursorOf(items[items.length - 1]) : null };
}
