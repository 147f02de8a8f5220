-- CreateEnum
CREATE TYPE "ReleaseAdvance" AS ENUM ('automatic', 'manual');

-- CreateEnum
CREATE TYPE "ReleaseState" AS ENUM ('running', 'completed', 'aborted', 'superseded');

-- AlterEnum
ALTER TYPE "DeploymentStatus" ADD VALUE 'rolled_back';

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "OperationKind" ADD VALUE 'release';
ALTER TYPE "OperationKind" ADD VALUE 'canary_weight';
ALTER TYPE "OperationKind" ADD VALUE 'health_watch';

-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "canaryWeight" INTEGER,
ADD COLUMN     "healthWatchSeconds" INTEGER,
ADD COLUMN     "releaseId" TEXT;

-- CreateTable
CREATE TABLE "ReleasePolicy" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "stages" JSONB NOT NULL,
    "advance" "ReleaseAdvance" NOT NULL DEFAULT 'automatic',
    "maxErrorRateIncreasePoints" DOUBLE PRECISION NOT NULL,
    "maxP95IncreasePercent" DOUBLE PRECISION NOT NULL,
    "minP95IncreaseMs" INTEGER NOT NULL DEFAULT 10,
    "minRequests" INTEGER NOT NULL,
    "judgeWindowSeconds" INTEGER NOT NULL DEFAULT 1,
    "healthWatchSeconds" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReleasePolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Release" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "stableDeploymentId" TEXT NOT NULL,
    "canaryDeploymentId" TEXT NOT NULL,
    "operationId" TEXT NOT NULL,
    "policy" JSONB NOT NULL,
    "stageIndex" INTEGER NOT NULL DEFAULT 0,
    "stageStartedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "weight" INTEGER NOT NULL,
    "state" "ReleaseState" NOT NULL DEFAULT 'running',
    "awaitingAdvance" BOOLEAN NOT NULL DEFAULT false,
    "endRequested" JSONB,
    "stages" JSONB NOT NULL DEFAULT '[]',
    "tripped" JSONB,
    "endReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "Release_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReleasePolicy_environmentId_key" ON "ReleasePolicy"("environmentId");

-- CreateIndex
CREATE INDEX "ReleasePolicy_projectId_idx" ON "ReleasePolicy"("projectId");

-- CreateIndex
CREATE UNIQUE INDEX "Release_operationId_key" ON "Release"("operationId");

-- CreateIndex
CREATE INDEX "Release_projectId_state_idx" ON "Release"("projectId", "state");

-- CreateIndex
CREATE INDEX "Release_canaryDeploymentId_idx" ON "Release"("canaryDeploymentId");

-- AddForeignKey
ALTER TABLE "ReleasePolicy" ADD CONSTRAINT "ReleasePolicy_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReleasePolicy" ADD CONSTRAINT "ReleasePolicy_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Release" ADD CONSTRAINT "Release_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Release" ADD CONSTRAINT "Release_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
