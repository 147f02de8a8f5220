import { DeploymentRequest } from '../generated/proto/krane/v1/deployment';
import { InvalidSpecError } from './driver';
import { envNameProblem } from './env-policy';
import { HTTP_PATH_RULE, isHttpPath } from './http-path';
import { KraneDeploymentSpec, MAX_REPLICAS } from './types';

/*
 * The checks every Krane request passes before any driver sees it, whichever driver serves it. Stable entry points:
 * validateDeploymentRequest (CreateDeployment) and validateIds (Get/DeleteDeployment); both throw InvalidSpecError
 * (INVALID_ARGUMENT) naming the field. Env names follow the one policy in env-policy.ts, shared with the API.
 */

// Ids end up in process names, container names and label values of other drivers: keep them to a safe alphabet.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const MAX_ENV_VARS = 200;
const MAX_IMAGE_LENGTH = 512;
// An image reference is one line of printable text; a driver may put it on a command line or in a file.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const MAX_ENV_VALUE_BYTES = 32 * 1024;

export function validateIds(namespace: string, deploymentId: string): void {
  checkId('namespace', namespace);
  checkId('deployment_id', deploymentId);
}

function checkId(field: string, value: string): void {
  if (!value) throw new InvalidSpecError(`${field} is required`);
  if (!ID_PATTERN.test(value)) {
    throw new InvalidSpecError(`${field} ${JSON.stringify(value)} must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit`);
  }
}

/** The wire request as a spec, or InvalidSpecError naming the first bad field. */
export function validateDeploymentRequest(request: DeploymentRequest | undefined): KraneDeploymentSpec {
  if (!request) throw new InvalidSpecError('deployment is required');
  validateIds(request.namespace, request.deploymentId);
  if (!request.image.trim()) throw new InvalidSpecError('image is required');
  if (request.image.length > MAX_IMAGE_LENGTH) throw new InvalidSpecError(`image is longer than ${MAX_IMAGE_LENGTH} characters`);
  if (CONTROL.test(request.image)) throw new InvalidSpecError('image must not contain control characters');
  if (request.replicas < 1 || request.replicas > MAX_REPLICAS) {
    throw new InvalidSpecError(`replicas must be between 1 and ${MAX_REPLICAS}, got ${request.replicas}`);
  }
  if (request.port > 65535) throw new InvalidSpecError(`port must be at most 65535, got ${request.port}`);
  if (request.projectId && !ID_PATTERN.test(request.projectId)) {
    throw new InvalidSpecError(`project_id ${JSON.stringify(request.projectId)} must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit`);
  }
  const healthCheckPath = request.healthCheckPath;
  if (healthCheckPath && !isHttpPath(healthCheckPath)) {
    throw new InvalidSpecError(`health_check_path ${JSON.stringify(healthCheckPath)} must be a path: ${HTTP_PATH_RULE}`);
  }
  const env = request.env ?? {};
  const names = Object.keys(env);
  if (names.length > MAX_ENV_VARS) throw new InvalidSpecError(`env has ${names.length} variables, at most ${MAX_ENV_VARS} allowed`);
  for (const name of names) {
    const problem = envNameProblem(name);
    if (problem) throw new InvalidSpecError(problem);
    if (Buffer.byteLength(env[name]) > MAX_ENV_VALUE_BYTES) {
      throw new InvalidSpecError(`env variable ${name} is longer than ${MAX_ENV_VALUE_BYTES} bytes`);
    }
    if (env[name].includes('\0')) throw new InvalidSpecError(`env variable ${name} contains a NUL byte`);
  }
  return {
    namespace: request.namespace,
    deploymentId: request.deploymentId,
    image: request.image,
    replicas: request.replicas,
    cpuMillicores: request.cpuMillicores,
    memoryMib: request.memorySizeMib,
    ...(request.port ? { port: request.port } : {}),
    ...(names.length ? { env: { ...env } } : {}),
    ...(healthCheckPath ? { healthCheckPath } : {}),
    ...(request.projectId ? { projectId: request.projectId } : {}),
  };
}
