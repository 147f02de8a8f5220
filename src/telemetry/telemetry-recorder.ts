import { randomBytes } from 'node:crypto';
import { Logger, silentLogger } from '../logger';
import type { RedisConnection } from '../redis/connection';
import { encodeLatencySketch, LatencySketch, newLatencySketch, recordLatency } from './latency-sketch';
import { ERRORS_FIELD, LATENCY_FIELD, REQUESTS_FIELD, TELEMETRY_TTL_SECONDS, telemetryBucketKey } from './telemetry-keys';

/** What the gateway calls once per answered request. */
export interface GatewayTelemetry {
  /** `status` as answered (the gateway's own 502/504 included); `latencyMs` from taking the request to the answer's head. */
  record(deploymentId: string, status: number, latencyMs: number): void;
}

/** For a gateway started without a recorder (tests of the proxy alone). */
export const noTelemetry: GatewayTelemetry = { record() {} };

export interface TelemetryRecorderOptions {
  redis: RedisConnection;
  prefix: string;
  logger?: Logger;
  /** Default 1 s. */
  flushIntervalMs?: number;
  /** Seconds of figures kept in Redis. Default TELEMETRY_TTL_SECONDS. */
  ttlSeconds?: number;
  /** Finished buckets kept while Redis cannot take them; the oldest are dropped beyond. Default 1,000. */
  maxUnflushedBuckets?: number;
  /** This process's field name in every hash; default a random one (unique across hosts and restarts). */
  processId?: string;
}

/** One deployment's figures for one second, as counted by this process. */
class Bucket {
  requests = 0;
  errors5xx = 0;
  /** Changed since its figures were last handed to Redis. */
  dirty = true;
  readonly latency: LatencySketch = newLatencySketch();
  constructor(
    readonly deploymentId: string,
    readonly second: number,
  ) {}
}

/**
 * This process's request figures per deployment and second, written to Redis every second (see telemetry-keys.ts).
 * `record` is synchronous and touches only memory: Redis being slow or down never reaches a request. Each flush
 * writes the cumulative figures of the current second and of every finished one not yet written, so a failed flush
 * is simply redone by the next; finished buckets are bounded while Redis stays away.
 */
export class TelemetryRecorder implements GatewayTelemetry {
  readonly processId: string;
  /** This process's three fields in every hash. */
  private readonly fields: { requests: string; errors: string; latency: string };
  private readonly redis: RedisConnection;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly flushIntervalMs: number;
  private readonly ttlSeconds: number;
  private readonly maxUnflushed: number;
  /** The bucket of the latest second each deployment was answered in. */
  private readonly current = new Map<string, Bucket>();
  /** Buckets of seconds that are over, not yet written. */
  private finished: Bucket[] = [];
  /** The latest second seen: a wall clock stepped back never reopens (and so overwrites) a second already written. */
  private latestSecond = 0;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private stopped = false;
  /** Buckets dropped because Redis could not take them in time. */
  dropped = 0;
  /** Flushes that failed. */
  failedFlushes = 0;

  constructor(options: TelemetryRecorderOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.logger = options.logger ?? silentLogger;
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.ttlSeconds = options.ttlSeconds ?? TELEMETRY_TTL_SECONDS;
    this.maxUnflushed = options.maxUnflushedBuckets ?? 1_000;
    this.processId = options.processId ?? randomBytes(6).toString('base64url');
    const field = (suffix: string) => this.processId + ':' + suffix;
    this.fields = { requests: field(REQUESTS_FIELD), errors: field(ERRORS_FIELD), latency: field(LATENCY_FIELD) };
  }

  record(deploymentId: string, status: number, latencyMs: number): void {
    const second = this.nowSecond();
    let bucket = this.current.get(deploymentId);
    if (bucket === undefined || bucket.second !== second) {
      if (bucket !== undefined) this.retire(bucket);
      bucket = new Bucket(deploymentId, second);
      this.current.set(deploymentId, bucket);
    }
    bucket.requests++;
    if (status >= 500) bucket.errors5xx++;
    recordLatency(bucket.latency, latencyMs);
    bucket.dirty = true;
  }

  /** Flushes every `flushIntervalMs`, just after each second turns (so a finished second is written at once). */
  start(): void {
    if (this.stopped || this.timer) return;
    const schedule = () => {
      const delay = this.flushIntervalMs - (Date.now() % this.flushIntervalMs) + 20;
      this.timer = setTimeout(() => {
        void this.flush().finally(() => {
          if (!this.stopped) schedule();
        });
      }, delay);
      this.timer.unref();
    };
    schedule();
  }

  /** Writes what is not written yet; one flush at a time (a caller during a flush waits for that one). Never rejects. */
  flush(): Promise<void> {
    this.inFlight ??= this.writeOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Stops the timer and writes everything counted so far, waiting at most `timeoutMs` for Redis. */
  async stop(timeoutMs = 1_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timeout = setTimeout(resolve, timeoutMs);
    });
    try {
      await Promise.race([
        (async () => {
          await this.inFlight;
          await this.flush();
        })(),
        gaveUp,
      ]);
    } finally {
      clearTimeout(timeout);
    }
  }

  private nowSecond(): number {
    const second = Math.floor(Date.now() / 1000);
    if (second > this.latestSecond) this.latestSecond = second;
    return this.latestSecond;
  }

  private retire(bucket: Bucket): void {
    this.finished.push(bucket);
    if (this.finished.length > this.maxUnflushed) {
      this.finished.shift();
      this.dropped++;
    }
  }

  private async writeOnce(): Promise<void> {
    const now = this.nowSecond();
    // A deployment that got no request this second: its last bucket is finished (and the map forgets it).
    for (const [deploymentId, bucket] of this.current) {
      if (bucket.second < now) {
        this.current.delete(deploymentId);
        this.retire(bucket);
      }
    }
    const batch = this.finished;
    this.finished = [];
    const open: Bucket[] = [];
    for (const bucket of this.current.values()) if (bucket.dirty) open.push(bucket);
    if (batch.length === 0 && open.length === 0) return;
    const pipeline = this.redis.pipeline();
    const { fields } = this;
    for (const list of [batch, open]) {
      for (const bucket of list) {
        bucket.dirty = false;
        const key = telemetryBucketKey(this.prefix, bucket.deploymentId, bucket.second);
        pipeline.hset(key, fields.requests, bucket.requests, fields.errors, bucket.errors5xx, fields.latency, encodeLatencySketch(bucket.latency));
        pipeline.expire(key, this.ttlSeconds);
      }
    }
    try {
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('the pipeline was not executed');
      if (this.failing) {
        this.failing = false;
        this.logger.info('gateway telemetry flushes again', { dropped: this.dropped });
      }
    } catch (err) {
      this.failedFlushes++;
      // Written again by the next flush (the figures are cumulative, so rewriting is harmless).
      this.finished = batch.concat(this.finished);
      while (this.finished.length > this.maxUnflushed) {
        this.finished.shift();
        this.dropped++;
      }
      for (const bucket of open) bucket.dirty = true;
      if (!this.failing) {
        this.failing = true;
        this.logger.warn('gateway telemetry could not be flushed; keeping the figures for the next flush', { error: (err as Error).message });
      }
    }
  }
}
