/**
 * Names for the prepared statements of the PostgreSQL adapter (`PrismaPg`'s `statementNameGenerator`): a statement
 * sent under a name is parsed once per pooled connection and executed by name afterwards, so PostgreSQL skips parsing
 * (and, once it settles on a generic plan, planning) every statement the engine sends on its hot path, tens per
 * deploy. Without a name every statement is parsed and planned again.
 *
 * One name per SQL text (the parameters are bound apart), given in the order texts are first seen. Prisma's SQL
 * varies with the shape of a query (an `IN` list or a `VALUES` list per number of items), so the number of texts is
 * not fixed: past `limit` distinct texts a new one is sent unnamed (the empty name: parsed each time, as before), so
 * neither this map nor each backend's prepared statements grow without bound. Two generators naming statements on
 * the same connections (Prisma's adapter and the direct path, sql.ts) take different prefixes: a name must mean one text
 * per connection.
 */
export function statementNames(limit = 2_000, prefix = 'df'): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= limit) return '';
    const name = `${prefix}${names.size}`;
    names.set(sql, name);
    return name;
  };
}
