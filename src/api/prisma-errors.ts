import { Prisma } from '../generated/prisma/client';

/** A unique constraint refused the write (Prisma P2002): someone else holds that slug, key or id. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/** The record an update or delete addressed does not exist (Prisma P2025). */
export function isRecordNotFound(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025';
}
