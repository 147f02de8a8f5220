import { InvalidSpecError } from './driver';
import type { KraneDriverName } from './drivers/create-driver';
import { parseContainerImage } from './drivers/docker-image-ref';

/**
 * Why the Krane's driver cannot run `image`, or undefined when it can as far as the request shows. The API asks
 * before it records a deploy, so a `file:` image sent to a docker Krane is a 400 naming the field rather than a
 * deploy that fails at create-in-krane. (The process driver's own checks need its filesystem and stay in Krane.)
 */
export function imageProblemFor(driver: KraneDriverName, image: string): string | undefined {
  if (driver !== 'docker') return undefined;
  try {
    parseContainerImage(image);
    return undefined;
  } catch (err) {
    if (err instanceof InvalidSpecError) return err.message;
    throw err;
  }
}
