/** The app's addresses (hash routes: the same links work under `flowctl ui` and in a report file). */
const e = encodeURIComponent;

export const flowHref = (flow: string) => `/flows/${e(flow)}`;
export const runHref = (flow: string, runId: string) => `/runs/${e(flow)}/${e(runId)}`;
export const taskHref = (flow: string, runId: string, step: string, taskId: string) => `/runs/${e(flow)}/${e(runId)}/${e(step)}/${e(taskId)}`;
/** Runs as `flow/runId` pathspecs. */
export const compareHref = (runs: string[]) => `/compare/${runs.map(e).join(',')}`;
