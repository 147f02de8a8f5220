import { errorResponses, JSON_POST_ERRORS } from '../schemas/common';
import { OperationAcceptedSchema, OperationSchema } from '../schemas/operation';

/** Responses of the routes that start a routing operation and may wait for it (rollback, promote, undo). */
export const SWITCH_RESPONSES = {
  200: { description: 'With ?wait: the operation finished and succeeded', content: { 'application/json': { schema: OperationSchema } } },
  202: { description: 'Accepted: the operation is queued or running', content: { 'application/json': { schema: OperationAcceptedSchema } } },
  ...errorResponses(...JSON_POST_ERRORS, 404),
};

export const WAIT_DESCRIPTION =
  '`?wait=N` (0 to 30 seconds) waits for the operation: 200 with the operation when it succeeded, the error it ended ' +
  'with when it failed (its `code` and `message`, the operation in `details`), 202 when it is still running.';
