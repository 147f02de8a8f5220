import type { Db } from '../db/prisma';
import type { Caller } from '../operations/caller';
import type { BulkLine } from './bulk-line';
import type { LineReport } from './line-report';
import type { OpenapiFetchLimits } from './rescrape-openapi';

/** A valid line, ready to run: its caller (the workspace, `script:<file>:<line>`) and its idempotency key. */
export interface LineJob {
  lineNumber: number;
  line: BulkLine;
  caller: Caller;
  idempotencyKey: string;
}

/** What running the lines needs: the database, the engine's enqueue (workers run elsewhere) and fetch limits for rescrapes. */
export interface BulkDeps {
  prisma: Db;
  enqueue(operationId: string): Promise<void>;
  openapiLimits?: OpenapiFetchLimits;
}

/** The part of a line's report the line's execution decides. */
export type LineResult = Omit<LineReport, 'line' | 'op'>;
