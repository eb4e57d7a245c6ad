/**
 * The only module of the live view that imports ink and react: mounts LiveView on a
 * stream and redraws it on request. LiveSession loads it with `import()` (in the view process).
 */
import { createElement } from 'react';
import { render, type Instance } from 'ink';
import { LiveView, type LiveViewProps } from './LiveView.js';

export class InkRenderer {
  private readonly ink: Instance;

  constructor(stream: NodeJS.WriteStream, props: LiveViewProps) {
    this.ink = render(createElement(LiveView, props), {
      stdout: stream, stderr: stream, exitOnCtrlC: false, patchConsole: false,
      // ink throttles too (trailing frames on a timer); the reporter already paces frames
      // at ≥ 100 ms, so this only keeps ink from delaying one.
      maxFps: 30,
    });
  }

  draw(props: LiveViewProps): void {
    this.ink.rerender(createElement(LiveView, props));
  }

  /** Draws the closing frame and unmounts, leaving that frame on screen. */
  async finish(props: LiveViewProps): Promise<void> {
    this.ink.rerender(createElement(LiveView, props));
    const exited = this.ink.waitUntilExit();
    this.ink.unmount();
    await exited;
  }
}
