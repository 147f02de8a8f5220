// zod as the API extends it (`.openapi()`): zod 4 gives each schema its methods when it is built, so a schema built
// before the first import of @hono/zod-openapi elsewhere would lack it, and POST /v1/deployments documents this one.
import { z } from '@hono/zod-openapi';
import { ALLOWED_ENV_NAME_PATTERN, envNameProblem, MAX_ENV_NAME_LENGTH } from '../krane/env-policy';
import { HTTP_PATH_PATTERN, HTTP_PATH_RULE, MAX_HTTP_PATH_LENGTH } from '../krane/http-path';
import { describeText, freeText, lineText, nonBlankLineText, textCharacter } from './text';

const httpPath = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
  .max(MAX_HTTP_PATH_LENGTH, `must be at most ${MAX_HTTP_PATH_LENGTH} characters`)
  .regex(HTTP_PATH_PATTERN, { error: describeText('line', `must be ${HTTP_PATH_RULE}`) });

const MAX_IMAGE_LENGTH = 512;

/**
 * `file:<dir>` for the process driver (any one-line text without white space after `file:`), or an OCI image
 * reference for container drivers, at most 512 characters. One pattern, so the OpenAPI document says exactly what is
 * accepted; not trimmed, so that holds for surrounding white space too.
 */
const IMAGE_PATTERN = new RegExp(`^(?:file:${textCharacter('line', '\\s')}+|[a-z0-9][a-z0-9._\\-/:@]*)$`);

const image = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') })
  .min(1, 'must not be empty')
  .max(MAX_IMAGE_LENGTH, `must be at most ${MAX_IMAGE_LENGTH} characters`)
  .regex(IMAGE_PATTERN, { error: describeText('line', 'must be file:<dir> or an image reference like registry/app:tag') });

export const GitInfo = z.strictObject({
  branch: nonBlankLineText(255).optional(),
  commitSha: z
    .string()
    .regex(/^[0-9a-fA-F]{7,64}$/, 'must be 7 to 64 hexadecimal characters')
    .transform((v) => v.toLowerCase())
    .optional(),
  message: freeText(2000).optional(),
  author: lineText(255).optional(),
});

/**
 * JSON.parse keeps a `"__proto__"` key as the object's own property, but a record's parse leaves it out (assigning it
 * would set the prototype): the env check after the record never sees it, and the variable would vanish without a
 * word. Checked on the input instead, it is refused like any other name the policy does not allow.
 */
function refuseNamesARecordDrops(input: unknown, ctx: z.RefinementCtx): unknown {
  if (input !== null && typeof input === 'object' && Object.hasOwn(input, '__proto__')) {
    ctx.addIssue({ code: 'custom', path: ['__proto__'], message: envNameProblem('__proto__') ?? 'is not a valid name', input });
  }
  return input;
}

export const RuntimeSettings = z.strictObject({
  replicas: z.number().int().min(1).max(20).default(1),
  cpuMillicores: z.number().int().min(10).max(64_000).default(250),
  memoryMib: z.number().int().min(16).max(262_144).default(256),
  port: z.number().int().min(1).max(65_535).default(8080),
  healthCheckPath: httpPath.default('/healthz'),
  openapiPath: httpPath.default('/openapi.json'),
  // Names are checked by the one env policy (also Krane's), each refusal a separate issue on runtime.env.<name>.
  env: z
    .preprocess(refuseNamesARecordDrops, z.record(z.string(), freeText(8192)))
    .superRefine((env, ctx) => {
      const names = Object.keys(env);
      if (names.length > 100) ctx.addIssue({ code: 'custom', message: 'at most 100 variables' });
      for (const name of names) {
        const problem = envNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
      }
    })
    .default({})
    .meta({ maxProperties: 100, propertyNames: { type: 'string', maxLength: MAX_ENV_NAME_LENGTH, pattern: ALLOWED_ENV_NAME_PATTERN.source } }),
});

/** What a deploy asks for: shared by the HTTP API, gRPC and the enqueue script. */
export const DeployRequest = z.strictObject({
  projectId: nonBlankLineText(128),
  environment: nonBlankLineText(63).default('production'),
  image,
  git: GitInfo.default({}),
  runtime: RuntimeSettings.default(() => RuntimeSettings.parse({})),
});

export type DeployRequest = z.infer<typeof DeployRequest>;
export type DeployRequestInput = z.input<typeof DeployRequest>;
