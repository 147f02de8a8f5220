/**
 * Whether an error means "the database (or the network to it) is not there right now", as opposed to a failure of
 * the step itself. Steps wait such outages out without spending attempts: a PostgreSQL restart must not fail the
 * deploys that were in flight.
 */
const PRISMA_OUTAGE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_OUTAGE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionAlreadyClosed']);
// PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections.
const POSTGRES_OUTAGE_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const NODE_OUTAGE_CODES = /\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH)\b/;
/**
 * A connection lost under a statement. node-postgres says "Client has encountered a connection error and is not
 * queryable" for a statement sent on a connection a transaction holds after the server ended it (the error that ended
 * it went to the connection's listener, not to a statement), through Prisma or past it alike.
 */
const CONNECTION_LOST = /Can't reach database server|Connection terminated|server closed the connection|Client has encountered a connection error|Client was closed and is not queryable/i;

interface Inspectable {
  code?: unknown;
  message?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown; code?: unknown } } };
  cause?: unknown;
}

export function isInfrastructureOutage(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as Inspectable;
  if (typeof e.code === 'string' && (PRISMA_OUTAGE_CODES.has(e.code) || POSTGRES_OUTAGE_CODES.has(e.code) || NODE_OUTAGE_CODES.test(e.code))) return true;
  const adapter = e.meta?.driverAdapterError?.cause;
  if (adapter) {
    if (typeof adapter.kind === 'string' && ADAPTER_OUTAGE_KINDS.has(adapter.kind)) return true;
    const pgCode = adapter.originalCode ?? adapter.code;
    if (typeof pgCode === 'string' && POSTGRES_OUTAGE_CODES.has(pgCode)) return true;
  }
  if (typeof e.message === 'string' && (CONNECTION_LOST.test(e.message) || NODE_OUTAGE_CODES.test(e.message))) {
    return true;
  }
  return isInfrastructureOutage(e.cause, depth + 1);
}
