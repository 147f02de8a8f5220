-- AlterTable
ALTER TABLE "IngressRoute" ADD COLUMN     "canaryDeploymentId" TEXT,
ADD COLUMN     "canaryWeight" INTEGER NOT NULL DEFAULT 0;

