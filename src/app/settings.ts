import type { Config } from '../config';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../engine/settings';
import type { StepSettings } from '../../processors/services';

/** Every tunable of a deployflow engine: the engine's own and its steps'. Tests shorten them. */
export type Settings = EngineSettings & StepSettings;

export function defaultSettings(config: Pick<Config, 'POLL_INTERVAL_MS' | 'POLL_DEADLINE_MS'>): Settings {
  return {
    ...DEFAULT_ENGINE_SETTINGS,
    pollIntervalMs: config.POLL_INTERVAL_MS,
    pollDeadlineMs: config.POLL_DEADLINE_MS,
    routingTurnCheckMs: 500,
    instanceHttpTimeoutMs: 5_000,
    openapiMaxBytes: 5 * 1024 * 1024,
    traceRouting: false,
  };
}
