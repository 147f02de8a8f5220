import { ErrorCode, isErrorCode, publicMessage } from './catalogue';
import { DeployflowError } from './deployflow-error';

/** The fields of an operation row that say how it ended. */
export interface EndedOperation {
  id: string;
  state: string;
  errorCode: string | null;
  errorMessage: string | null;
}

const CODE_OF_ENDING = { failed: 'operation_failed', cancelled: 'operation_cancelled', superseded: 'operation_superseded' } as const;

/**
 * The catalogue code an operation ended with: the one it recorded, or, when it recorded none (or one this version no
 * longer knows), the code of its state (`operation_failed`, `operation_cancelled`, `operation_superseded`).
 */
export function endingCodeOf(op: Pick<EndedOperation, 'id' | 'state' | 'errorCode'>): ErrorCode {
  if (isErrorCode(op.errorCode)) return op.errorCode;
  return op.state === 'cancelled' || op.state === 'superseded' ? CODE_OF_ENDING[op.state] : CODE_OF_ENDING.failed;
}

/**
 * An operation that ended other than `succeeded`, as the answer to a request that waited for it (`?wait`). Its message
 * is the one the operation stored when it ended, which the catalogue built then (`<step>: <public message>`).
 */
export class OperationEndedError extends DeployflowError {
  constructor(op: EndedOperation, details?: unknown) {
    const code = endingCodeOf(op);
    super(code, op.errorMessage ?? endedMessage(op), { details });
  }
}

function endedMessage(op: Pick<EndedOperation, 'id' | 'state'>): string {
  const operationId = op.id;
  return op.state === 'cancelled' || op.state === 'superseded'
    ? publicMessage(CODE_OF_ENDING[op.state], { operationId })
    : publicMessage('operation_failed', { operationId });
}
