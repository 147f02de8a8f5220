import { ServerInterceptingCall, ServerInterceptor } from '@grpc/grpc-js';
import type { Metadata } from 'nice-grpc';

/**
 * gRPC carries a client's deadline in the `grpc-timeout` header, which grpc-js consumes and nice-grpc does not pass
 * on to handlers. Rollback and Promote must answer before that deadline (with the operation id, so the caller can
 * follow it) instead of letting the transport cut the call with a bare DEADLINE_EXCEEDED; this interceptor hands the
 * deadline to handlers as metadata. A value a client sends under this key is dropped first: it cannot be spoofed.
 */
export const CALL_DEADLINE_METADATA = 'deployflow-call-deadline';

export const exposeCallDeadline: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          metadata.remove(CALL_DEADLINE_METADATA);
          const deadline = call.getDeadline();
          const at = deadline instanceof Date ? deadline.getTime() : deadline;
          if (Number.isFinite(at)) metadata.set(CALL_DEADLINE_METADATA, String(at));
          nextMetadata(metadata);
        },
      });
    },
  });

/** The client's deadline (epoch ms) of a call on a server with `exposeCallDeadline`, or undefined when it set none. */
export function callDeadline(metadata: Metadata): number | undefined {
  const value = metadata.get(CALL_DEADLINE_METADATA);
  const at = value === undefined ? NaN : Number(value);
  return Number.isFinite(at) ? at : undefined;
}

/**
 * Answer this long before the client's deadline (at most a quarter of the time it gave): the reply must still reach
 * it across a busy event loop and network. Answering early costs nothing: the operation goes on either way.
 */
const REPLY_MARGIN_MS = 2_000;
const REPLY_MARGIN_SHARE = 0.25;

/**
 * When a call that waits for an operation must answer: shortly before the client's deadline if it set one (capped at
 * `maxWaitMs`, so no call holds the server indefinitely), else after `defaultWaitMs`.
 */
export function answerBy(metadata: Metadata, waits: { defaultWaitMs: number; maxWaitMs: number }, now = Date.now()): number {
  const deadline = callDeadline(metadata);
  if (deadline === undefined) return now + waits.defaultWaitMs;
  const remaining = Math.max(0, deadline - now);
  return now + Math.min(waits.maxWaitMs, remaining - Math.min(REPLY_MARGIN_MS, remaining * REPLY_MARGIN_SHARE));
}
