export { createHydraClient, type HydraClient } from './client';
export { OPERATION_ID_HEADER } from './deployment-service';
export { DEFAULT_SWITCH_WAIT_MS, type GrpcServerOptions, MAX_SWITCH_WAIT_MS, type RunningGrpcServer, startGrpcServer } from './server';
