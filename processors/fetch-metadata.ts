import { readDeployFacts, type DeployFacts } from '../src/deployments/deploy-facts';
import { deployStep } from './services';

/** What fetch-metadata hands on to the deploy's later steps (see deploy-facts.ts for what is in it and what never is). */
export type DeployMetadata = DeployFacts;

/**
 * Loads what the deploy's steps need of its deployment, workspace, project and environment, in one statement, once:
 * later steps take it from this step's output rather than reading the rows again. A deploy whose records are gone
 * fails at once. A deploy request hands the same facts in the job data (it read them in the statement that inserted
 * the deployment, and none of them can change): then nothing is read.
 */
export const fetchMetadata = deployStep({
  name: 'fetch-metadata',
  cancellable: true,
  run: async ({ services, data }): Promise<DeployMetadata> => data.facts ?? readDeployFacts(services.prisma, data.deploymentId),
  summarize: (m) => `${m.workspaceSlug}/${m.projectSlug} → ${m.environmentSlug}`,
});
