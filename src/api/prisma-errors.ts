import { ApiError } from '../errors';
import { Prisma } from '../generated/prisma/client';

/** A unique constraint refused the write (Prisma P2002): someone else holds that slug, key or id. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/** The record an update or delete addressed does not exist (Prisma P2025). */
export function isRecordNotFound(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025';
}

/**
 * A database refusal that reached the API unhandled, as the caller's answer: a race between two requests that both
 * passed their checks (the database had the last word) is a `conflict`, a record gone meanwhile is `not_found`.
 * Anything else is not the caller's doing: undefined.
 */
export function prismaRefusal(err: unknown): ApiError<'conflict' | 'not_found'> | undefined {
  if (isUniqueViolation(err)) return new ApiError('conflict');
  if (isRecordNotFound(err)) return new ApiError('not_found', { what: 'resource' });
  return undefined;
}
