import { TerminalError } from '../../errors';
import type { RouteSticky } from '../plans/route-types';
import { fitLabel, MAX_LABEL_LENGTH, slugify, stableHash } from './slug';

export interface HostnameInput {
  /** The configured apex, e.g. `deploy.localhost`. */
  apex: string;
  workspaceSlug: string;
  projectSlug: string;
  environmentSlug: string;
  isProduction: boolean;
  deploymentId: string;
  branch?: string | null;
  commitSha?: string | null;
}

export interface GeneratedHostname {
  hostname: string;
  sticky: RouteSticky;
  /** The branch name as given (not its slug); set on the branch route only. */
  branch?: string;
}

/**
 * The last 8 characters of the id after its prefix (`dep_`). Ids end in 16 random characters (src/ids.ts), so the tail is
 * the random part: 40 bits, and the hostname also carries project and workspace, so it only has to be unique among one
 * project's deployments. Within one millisecond ids are made by incrementing the last character, which keeps tails distinct.
 */
export function deploymentIdSuffix(deploymentId: string): string {
  const body = deploymentId
    .slice(deploymentId.indexOf('_') + 1)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  if (body.length < 8) {
    throw new TerminalError('invalid_deployment_id', { deploymentId });
  }
  return body.slice(-8);
}

/** The first 7 hex digits of a commit sha, lower case; null when the value is not a hex sha of at least 7 digits. */
export function shortCommitSha(commitSha: string | null | undefined): string | null {
  const sha = commitSha?.trim().toLowerCase() ?? '';
  return /^[0-9a-f]{7,64}$/.test(sha) ? sha.slice(0, 7) : null;
}

function normalizeApex(apex: string): string {
  const normalized = apex.trim().toLowerCase().replace(/^\.+|\.+$/g, '');
  if (normalized === '') throw new TerminalError('invalid_apex');
  return normalized;
}

/**
 * Every hostname a deployment gets (SPEC §4.1), in a fixed order: deployment, commit, branch, environment, live.
 * Each is one generated label under the apex; the label is built from slugs and fitted to 63 characters.
 */
export function generatedHostnames(input: HostnameInput): GeneratedHostname[] {
  const apex = normalizeApex(input.apex);
  const project = slugify(input.projectSlug);
  const workspace = slugify(input.workspaceSlug);
  const host = (...middle: string[]): string => `${fitLabel([project, ...middle, workspace].join('-'))}.${apex}`;

  const out: GeneratedHostname[] = [{ hostname: host(deploymentIdSuffix(input.deploymentId)), sticky: 'deployment' }];
  const sha7 = shortCommitSha(input.commitSha);
  if (sha7 !== null) out.push({ hostname: host('git', sha7), sticky: 'commit' });
  if (input.branch != null && input.branch.trim() !== '') {
    out.push({ hostname: host('git', slugify(input.branch)), sticky: 'branch', branch: input.branch });
  }
  out.push({ hostname: host(slugify(input.environmentSlug)), sticky: 'environment' });
  if (input.isProduction) out.push({ hostname: host(), sticky: 'live' });
  return out;
}

/**
 * The stable alternative for a generated hostname that belongs to someone else: the first label gets
 * `-<stableHash(ownerKey)>` appended (the label is shortened first if the result would exceed 63 characters, so the
 * owner's hash always stays visible at the end). Same hostname and owner, same alternative — nothing random.
 */
export function collisionHostname(hostname: string, ownerKey: string): string {
  const dot = hostname.indexOf('.');
  const label = dot === -1 ? hostname : hostname.slice(0, dot);
  const rest = dot === -1 ? '' : hostname.slice(dot);
  const hash = stableHash(ownerKey);
  return `${fitLabel(label, MAX_LABEL_LENGTH - 1 - hash.length)}-${hash}${rest}`.toLowerCase();
}
