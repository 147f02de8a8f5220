import { ServerError, ServerMiddleware, Status, TsProtoServiceDefinition } from 'nice-grpc';

/** What a method's decoder hands on for bytes that are no message of its request type, instead of throwing. */
export class MalformedRequest {
  constructor(
    readonly method: string,
    readonly problem: string,
  ) {}
}

/**
 * The service definition with request decoders that never throw. grpc-js answers a request its decoder throws on with
 * INTERNAL ("Error deserializing request") before any middleware or handler runs, so a client that sends truncated or
 * garbled bytes would be told the server failed. Handed a MalformedRequest instead, `rejectMalformedRequests` answers
 * INVALID_ARGUMENT saying what is wrong, after the caller is authenticated like any other.
 */
export function withTolerantDecoders<S extends TsProtoServiceDefinition>(service: S): S {
  const methods = Object.fromEntries(
    Object.entries(service.methods).map(([key, method]) => {
      const { requestType } = method;
      const name = `${service.fullName}/${method.name}`;
      const decode = (input: Uint8Array): unknown => {
        try {
          return requestType.decode(input);
        } catch (err) {
          return new MalformedRequest(name, err instanceof Error ? err.message : String(err));
        }
      };
      return [key, { ...method, requestType: { ...requestType, decode } }];
    }),
  );
  return { ...service, methods } as S;
}

/**
 * Answers INVALID_ARGUMENT for a request whose bytes did not decode (see `withTolerantDecoders`). A status of its own
 * rather than a catalogued error: Krane's server, which maps no catalogue, uses it too.
 */
export function rejectMalformedRequests(): ServerMiddleware {
  return async function* rejectMalformed(call, context) {
    if (call.request instanceof MalformedRequest) {
      const { method, problem } = call.request;
      throw new ServerError(Status.INVALID_ARGUMENT, `invalid request: the bytes are not a ${method} request message (${problem})`);
    }
    return yield* call.next(call.request, context);
  };
}
