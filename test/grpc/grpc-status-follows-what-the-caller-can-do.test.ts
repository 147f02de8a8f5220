import { Status } from 'nice-grpc';
import { statusOfErrorCode } from '../../src/grpc/status-mapping';

describe('the gRPC status of an operation that failed', () => {
  it.each([
    ['stale_source', Status.ABORTED],
    ['not_found', Status.NOT_FOUND],
    ['deployment_not_found', Status.NOT_FOUND],
    ['not_production', Status.FAILED_PRECONDITION],
    ['deployment_not_ready', Status.FAILED_PRECONDITION],
    ['no_running_instances', Status.FAILED_PRECONDITION],
    ['already_live', Status.FAILED_PRECONDITION],
    ['krane_unavailable', Status.UNAVAILABLE],
    ['krane_deadline_exceeded', Status.UNAVAILABLE],
    ['stale_fence', Status.UNAVAILABLE],
    ['step_failed', Status.UNAVAILABLE],
    ['krane_invalid_argument', Status.FAILED_PRECONDITION],
  ])('%s → %s', (code, status) => {
    expect(statusOfErrorCode(code)).toBe(status);
  });
});
