/** Container steps (`image:`): podman or docker, whichever works here. */
export { ContainerExecutor } from './executor.js';
export { ContainerProcessRunner, type ContainerRunnerOptions } from './container-runner.js';
export { ImageError, ImageResolver } from './images.js';
export { detectRuntime, RUNTIME_VAR, type ContainerRuntime, type Detection } from './runtime.js';
export { CONTAINER_ROOT } from './run-args.js';
