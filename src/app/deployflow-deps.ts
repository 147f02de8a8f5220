import type { Engine } from '../engine/engine';
import type { EngineQueues } from '../engine/queues';
import type { Services } from '../../processors/services';
import type { Settings } from './settings';

/** What deployflow's steps, flows and reconciler work with: the steps' services plus the engine they run in. */
export interface DeployflowDeps extends Services {
  settings: Settings;
  queues: EngineQueues;
  engine: Engine<Services>;
}
