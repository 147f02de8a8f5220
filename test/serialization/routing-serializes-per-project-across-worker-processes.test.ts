import { routingStorm } from './support/routing-storm';

describe('the routing queue under a storm of rollbacks, promotes and deploys from 4 worker processes', () => {
  // 520 rollbacks and promotes in all, plus one deploy per project.
  routingStorm({ projects: 20, switchesPerProject: 26, workerProcesses: 4 });
});
