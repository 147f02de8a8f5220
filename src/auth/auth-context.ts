import type { ApiKeyRole } from '../generated/prisma/enums';

export type Role = ApiKeyRole;
export const ROLES: readonly Role[] = ['admin', 'deployer', 'viewer'];

/** Who is calling: put on every authenticated request by requireAuth(). */
export interface AuthContext {
  apiKeyId: string;
  /** null for the root key, which belongs to no workspace. */
  workspaceId: string | null;
  role: Role;
  /** The root key (workspaceId null): manages workspaces (creates them), nothing else. */
  isRoot: boolean;
}

/** A caller known to hold a key of one workspace (not the root key). */
export interface WorkspaceAuthContext extends AuthContext {
  workspaceId: string;
  isRoot: false;
}
