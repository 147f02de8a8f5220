-- AlterTable
ALTER TABLE "Operation" ADD COLUMN     "requestHash" TEXT;
