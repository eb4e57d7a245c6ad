/**
 * The container executor: runAttempt in this process (the task directory is staged on the
 * host, as for a local step), the command run in the step's image by a ContainerProcessRunner.
 * One per run: it resolves each image once, and sweeps the leftovers of dead runs when the
 * run starts its first container step.
 */
import type { PullPolicy } from '../../store/records.js';
import { InProcessExecutor, type InProcessOptions } from '../local.js';
import { ContainerProcessRunner, type ContainerRunnerOptions } from './container-runner.js';
import { ImageError, ImageResolver } from './images.js';
import { sweepLeftovers } from './leftovers.js';
import { detectRuntime, type Detection } from './runtime.js';

export class ContainerExecutor extends InProcessExecutor {
  private readonly images: ImageResolver;
  private readonly swept: Promise<number>;

  constructor(o: InProcessOptions & ContainerRunnerOptions, detection: Promise<Detection> = detectRuntime()) {
    super('container', new ContainerProcessRunner(detection, o), o);
    this.images = new ImageResolver(async () => {
      const d = await detection;
      if ('problem' in d) throw new ImageError(d.problem.message);
      return d.runtime;
    });
    this.swept = detection.then((d) => ('runtime' in d ? sweepLeftovers(d.runtime) : 0));
  }

  /** The image's id (`sha256:…`), once per image per run. @throws ImageError naming the image. */
  resolveImage(image: string, pull: PullPolicy): Promise<string> {
    return this.images.resolve(image, pull);
  }

  override async settle(): Promise<void> {
    await super.settle();
    await this.swept;
  }
}
