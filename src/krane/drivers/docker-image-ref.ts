import { InvalidSpecError } from '../driver';

/** A container image reference, split the way a pull and registry auth need it. */
export interface ContainerImageRef {
  /** As given, with `:latest` added when neither a tag nor a digest was: what is inspected, pulled and run. */
  reference: string;
  /** Registry host (`docker.io` when the reference names none). */
  registry: string;
  /** Repository path without the registry, e.g. `library/nginx` is given as `nginx`. */
  repository: string;
  tag?: string;
  digest?: string;
}

// The grammar of docker/distribution's reference package, without the parts no one deploys (upper-case hosts
// aside). A path component is lower case; separators are '.', '_', '__' or runs of '-'.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const DOMAIN = `${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*(?::[0-9]+)?`;
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`);

const MAX_REFERENCE_LENGTH = 255;

/**
 * Parses `name`, `name:tag`, `registry:5000/team/name:tag` or `name@sha256:<64 hex>`. Throws InvalidSpecError with
 * a message the deploy's step shows: `file:` images belong to the process driver, anything else must be a reference.
 */
export function parseContainerImage(image: string): ContainerImageRef {
  if (image.startsWith('file:')) {
    throw new InvalidSpecError(
      `image ${JSON.stringify(image)} is a directory, which only the process driver runs; the docker driver runs container images such as registry/app:tag or app@sha256:<digest> (build one from a directory with \`npm run example:image\`)`,
    );
  }
  if (image.length > MAX_REFERENCE_LENGTH) throw new InvalidSpecError(`image reference is longer than ${MAX_REFERENCE_LENGTH} characters`);
  const match = REFERENCE.exec(image);
  if (!match) {
    throw new InvalidSpecError(`image ${JSON.stringify(image)} is not a container image reference such as registry/app:tag or app@sha256:<digest>`);
  }
  const [, first, path, tag, digest] = match;
  // Like docker: the first part names a registry only if it looks like a host (a dot, a port, or localhost).
  const isRegistry = first !== undefined && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (first !== undefined && !isRegistry && !new RegExp(`^${COMPONENT}$`).test(first)) {
    throw new InvalidSpecError(`image ${JSON.stringify(image)} is not a container image reference: repository names are lower case`);
  }
  const registry = isRegistry ? first : 'docker.io';
  const repository = isRegistry || first === undefined ? path : `${first}/${path}`;
  const named = isRegistry ? `${first}/${path}` : repository;
  const reference = `${named}${tag !== undefined ? `:${tag}` : digest ? '' : ':latest'}${digest ? `@${digest}` : ''}`;
  return { reference, registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}
