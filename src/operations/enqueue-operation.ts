import type { Operation } from '../generated/prisma/client';

/**
 * Enqueues a recorded operation; `known` is what the request already holds (the row it inserted, the subject its jobs
 * are named after, job data the row lacks), so the engine and the steps need not read them again (see KnownOperation).
 * An enqueue may ignore it.
 */
export type EnqueueOperation = (operationId: string, known?: { operation: Operation; subject?: string; data?: Record<string, unknown> }) => Promise<void>;
