/** The one place releases read the gateways' telemetry: a deployment's figures over a window, summed across gateways. */
import type { RedisConnection } from '../redis/connection';
import { readDeploymentWindow } from '../telemetry/deployment-window';
import type { SideFigures } from './judge';

export interface FigureWindow {
  fromMs: number;
  toMs: number;
}

/**
 * Every 1-second bucket the gateways flushed for the deployment that overlaps the window (the telemetry keeps the last
 * 10 minutes: a longer stage is judged, as a whole, on its last 10 minutes).
 */
export function readFigures(redis: RedisConnection, prefix: string, deploymentId: string, window: FigureWindow): Promise<SideFigures> {
  return readDeploymentWindow(redis, prefix, deploymentId, window);
}
