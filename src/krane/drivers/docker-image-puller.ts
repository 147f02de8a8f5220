import type Docker from 'dockerode';
import { DriverUnavailableError, InvalidSpecError } from '../driver';
import { dockerMessage, driverErrorOf, isDaemonUnreachable, isDockerNotFound } from './docker-errors';
import { ContainerImageRef } from './docker-image-ref';
import { RegistryAuth, registryAuthFor } from './docker-registry-auth';

/** The image is not present and could not be pulled: the deploy cannot run as asked (INVALID_ARGUMENT, terminal). */
export class ImagePullError extends InvalidSpecError {}

export interface ImagePullerOptions {
  /** How long a create waits for a pull before answering UNAVAILABLE (the pull goes on; a retry joins it). Default 8 s, under the client's 10 s deadline. */
  waitMs?: number;
  /** A failed pull is not tried again for this long: retries and the reconciler's passes must not hammer a registry. Default 60 s. */
  failureTtlMs?: number;
  /** Where the daemon is, for messages. */
  daemon: string;
  authFor?: (registry: string) => RegistryAuth | undefined;
}

interface PullProgress {
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Makes an image present on the daemon: inspect, and pull when it is missing. One pull per reference at a time
 * (concurrent creates and retries join it), a failed pull is remembered for `failureTtlMs`, and every failure is
 * an ImagePullError naming the image and the registry's answer.
 */
export class DockerImagePuller {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, { at: number; message: string }>();
  private readonly waitMs: number;
  private readonly failureTtlMs: number;
  private readonly authFor: (registry: string) => RegistryAuth | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly options: ImagePullerOptions,
  ) {
    this.waitMs = options.waitMs ?? 8_000;
    this.failureTtlMs = options.failureTtlMs ?? 60_000;
    this.authFor = options.authFor ?? ((registry) => registryAuthFor(registry));
  }

  async ensure(image: ContainerImageRef): Promise<void> {
    if (await this.isPresent(image.reference)) return;
    const failed = this.failures.get(image.reference);
    if (failed && Date.now() - failed.at < this.failureTtlMs) throw new ImagePullError(failed.message);
    let pulling = this.inFlight.get(image.reference);
    if (!pulling) {
      pulling = this.pull(image).finally(() => this.inFlight.delete(image.reference));
      this.inFlight.set(image.reference, pulling);
    }
    let timer: NodeJS.Timeout | undefined;
    const stillPulling = new Promise<'waiting'>((resolve) => {
      timer = setTimeout(() => resolve('waiting'), this.waitMs);
    });
    try {
      const outcome = await Promise.race([pulling.then(() => 'pulled' as const), stillPulling]);
      if (outcome === 'waiting') {
        pulling.catch(() => undefined); // settled by a later create, or remembered as a failure
        throw new DriverUnavailableError(`image ${image.reference} is still being pulled; try again`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async isPresent(reference: string): Promise<boolean> {
    try {
      await this.docker.getImage(reference).inspect();
      return true;
    } catch (err) {
      if (isDockerNotFound(err)) return false;
      throw driverErrorOf(err, `inspecting image ${reference}`, this.options.daemon);
    }
  }

  private async pull(image: ContainerImageRef): Promise<void> {
    try {
      const auth = this.authFor(image.registry);
      const stream = (await this.docker.pull(image.reference, auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
      await readPullProgress(stream);
    } catch (err) {
      if (isDaemonUnreachable(err)) throw driverErrorOf(err, `pulling image ${image.reference}`, this.options.daemon);
      const message = `image ${image.reference} is not present on the docker host and pulling it from ${image.registry} failed: ${dockerMessage(err)}`;
      this.failures.set(image.reference, { at: Date.now(), message });
      throw new ImagePullError(message);
    }
    this.failures.delete(image.reference);
  }
}

/** Reads a pull's JSON progress stream to its end; an `error` line (a failure after the pull started) rejects. */
function readPullProgress(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let failure: string | undefined;
    const take = (line: string) => {
      if (!line.trim()) return;
      try {
        const progress = JSON.parse(line) as PullProgress;
        if (progress.error || progress.errorDetail?.message) failure ??= progress.errorDetail?.message ?? progress.error;
      } catch {
        // Not JSON: not a progress line we understand; the pull's outcome still shows in later lines.
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        take(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      take(buffered);
      if (failure) reject(new Error(failure));
      else resolve();
    });
  });
}
