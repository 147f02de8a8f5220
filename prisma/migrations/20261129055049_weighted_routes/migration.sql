-- AlterTable
ALTER TABLE "IngressRoute" ADD COLUMN     "canaryDeploymentId" TEXT,
ADD COLUMN     "canaryWeight" INTEGER NOT NULL DEFAULT 0;

-- A weight outside 0-100 is a bug wherever it comes from: the database refuses it too (Prisma's diff ignores CHECK
-- constraints, so a later migration neither repeats nor drops it).
ALTER TABLE "IngressRoute" ADD CONSTRAINT "IngressRoute_canaryWeight_range" CHECK ("canaryWeight" >= 0 AND "canaryWeight" <= 100);
