-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('admin', 'deployer', 'viewer');

-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('pending', 'building', 'deploying', 'network', 'ready', 'failed', 'cancelled', 'superseded');

-- CreateEnum
CREATE TYPE "StepStatus" AS ENUM ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled');

-- CreateEnum
CREATE TYPE "InstanceStatus" AS ENUM ('pending', 'running', 'stopping', 'stopped', 'failed');

-- CreateEnum
CREATE TYPE "RouteSticky" AS ENUM ('deployment', 'commit', 'branch', 'environment', 'live', 'custom');

-- CreateEnum
CREATE TYPE "OperationKind" AS ENUM ('deploy', 'rollback', 'promote', 'undo', 'rescrape');

-- CreateEnum
CREATE TYPE "OperationState" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'superseded');

-- CreateTable
CREATE TABLE "Workspace" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Workspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT,
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "name" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Project" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "defaultBranch" TEXT NOT NULL DEFAULT 'main',
    "liveDeploymentId" TEXT,
    "isRolledBack" BOOLEAN NOT NULL DEFAULT false,
    "rolledBackAt" TIMESTAMP(3),
    "rolledBackBy" TEXT,
    "rollbackReason" TEXT,
    "rolledBackFromDeploymentId" TEXT,
    "routingFence" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Environment" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "isProduction" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Environment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deployment" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "gitBranch" TEXT,
    "gitCommitSha" TEXT,
    "gitMessage" TEXT,
    "gitAuthor" TEXT,
    "replicas" INTEGER NOT NULL DEFAULT 1,
    "cpuMillicores" INTEGER NOT NULL DEFAULT 250,
    "memoryMib" INTEGER NOT NULL DEFAULT 256,
    "port" INTEGER NOT NULL DEFAULT 8080,
    "healthCheckPath" TEXT NOT NULL DEFAULT '/healthz',
    "openapiPath" TEXT NOT NULL DEFAULT '/openapi.json',
    "envVars" JSONB NOT NULL DEFAULT '{}',
    "status" "DeploymentStatus" NOT NULL DEFAULT 'pending',
    "statusReason" TEXT,
    "failedStep" TEXT,
    "cancelRequestedAt" TIMESTAMP(3),
    "routingStartedAt" TIMESTAMP(3),
    "compensatedAt" TIMESTAMP(3),
    "openapiSpec" TEXT,
    "openapiFetchedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeploymentStep" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "operationId" TEXT,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "status" "StepStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3),
    "endedAt" TIMESTAMP(3),
    "error" TEXT,
    "output" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DeploymentStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Instance" (
    "id" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "status" "InstanceStatus" NOT NULL DEFAULT 'pending',
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IngressRoute" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "sticky" "RouteSticky" NOT NULL,
    "branch" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IngressRoute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" TEXT NOT NULL,
    "kind" "OperationKind" NOT NULL,
    "projectId" TEXT NOT NULL,
    "deploymentId" TEXT,
    "sourceDeploymentId" TEXT,
    "state" "OperationState" NOT NULL DEFAULT 'queued',
    "idempotencyKey" TEXT,
    "requestedBy" TEXT NOT NULL,
    "reason" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "result" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RouteChange" (
    "id" TEXT NOT NULL,
    "operationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "changes" JSONB NOT NULL,
    "liveFrom" TEXT,
    "liveTo" TEXT,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RouteChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "key" TEXT NOT NULL,
    "apiKeyId" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "response" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("apiKeyId","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_slug_key" ON "Workspace"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_workspaceId_idx" ON "ApiKey"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "Project_workspaceId_slug_key" ON "Project"("workspaceId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "Environment_projectId_slug_key" ON "Environment"("projectId", "slug");

-- CreateIndex
CREATE INDEX "Deployment_projectId_environmentId_createdAt_idx" ON "Deployment"("projectId", "environmentId", "createdAt");

-- CreateIndex
CREATE INDEX "Deployment_projectId_gitBranch_idx" ON "Deployment"("projectId", "gitBranch");

-- CreateIndex
CREATE INDEX "Deployment_projectId_gitCommitSha_idx" ON "Deployment"("projectId", "gitCommitSha");

-- CreateIndex
CREATE INDEX "Deployment_status_idx" ON "Deployment"("status");

-- CreateIndex
CREATE INDEX "DeploymentStep_operationId_idx" ON "DeploymentStep"("operationId");

-- CreateIndex
CREATE UNIQUE INDEX "DeploymentStep_ownerId_name_key" ON "DeploymentStep"("ownerId", "name");

-- CreateIndex
CREATE INDEX "Instance_deploymentId_idx" ON "Instance"("deploymentId");

-- CreateIndex
CREATE UNIQUE INDEX "IngressRoute_hostname_key" ON "IngressRoute"("hostname");

-- CreateIndex
CREATE INDEX "IngressRoute_projectId_sticky_idx" ON "IngressRoute"("projectId", "sticky");

-- CreateIndex
CREATE INDEX "IngressRoute_deploymentId_idx" ON "IngressRoute"("deploymentId");

-- CreateIndex
CREATE UNIQUE INDEX "Operation_idempotencyKey_key" ON "Operation"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Operation_projectId_createdAt_idx" ON "Operation"("projectId", "createdAt");

-- CreateIndex
CREATE INDEX "Operation_deploymentId_idx" ON "Operation"("deploymentId");

-- CreateIndex
CREATE INDEX "Operation_state_idx" ON "Operation"("state");

-- CreateIndex
CREATE UNIQUE INDEX "RouteChange_operationId_key" ON "RouteChange"("operationId");

-- CreateIndex
CREATE UNIQUE INDEX "RouteChange_projectId_sequence_key" ON "RouteChange"("projectId", "sequence");

-- CreateIndex
CREATE INDEX "IdempotencyRecord_expiresAt_idx" ON "IdempotencyRecord"("expiresAt");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Project" ADD CONSTRAINT "Project_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Environment" ADD CONSTRAINT "Environment_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_deploymentId_fkey" FOREIGN KEY ("deploymentId") REFERENCES "Deployment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngressRoute" ADD CONSTRAINT "IngressRoute_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngressRoute" ADD CONSTRAINT "IngressRoute_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RouteChange" ADD CONSTRAINT "RouteChange_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
