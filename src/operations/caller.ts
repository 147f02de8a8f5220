/** Who asks for an operation: an API key of a workspace, or a trusted internal caller (gRPC, script). */
export interface Caller {
  workspaceId: string;
  /** API key id, or `grpc:<key id>` / `script:<name>`: recorded on operations and the rollback pin. */
  requestedBy: string;
  /** The HTTP request that asked (its x-request-id), stored on the operation so logs and the operation can be joined. */
  requestId?: string;
}
