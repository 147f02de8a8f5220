-- Latest wins: a production deploy stopped because a newer one of its branch reached routing names that newer one.
ALTER TABLE "Deployment" ADD COLUMN "supersededById" TEXT;
