/** The one place releases read the gateways' telemetry: a deployment's figures over a window, summed across gateways. */
import type { RedisConnection } from '../redis/connection';
import type { SideFigures } from './judge';

export interface FigureWindow {
  fromMs: number;
  toMs: number;
}

export async function readFigures(_redis: RedisConnection, _prefix: string, _deploymentId: string, _window: FigureWindow): Promise<SideFigures> {
  // Placeholder until the gateway telemetry lands: readDeploymentWindow (src/telemetry/deployment-window.ts).
  return { requests: 0, errors5xx: 0, errorRate: 0, p95Ms: null };
}
