/** Routes (hash-based: `#/runs/train/…` works under `flowctl ui` and from a report file alike). */
import { Route, Router, Switch } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { report } from './api';
import { ConfigContext } from './config';
import { ErrorBox, Loading, Page } from './components/Layout';
import { useJson } from './hooks';
import { ComparePage } from './pages/ComparePage';
import { FlowsPage } from './pages/FlowsPage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { TaskPage } from './pages/TaskPage';
import type { UiConfig } from './types';

const d = decodeURIComponent;

export function App() {
  if (report) {
    const r = report.snapshot.run;
    return <Router hook={useHashLocation}><RunPage flow={r.flow} runId={r.runId} /></Router>;
  }
  return <Served />;
}

function Served() {
  const config = useJson<UiConfig>('/api/config');
  if (!config.data) return <Page crumbs={[]}>{config.error ? <ErrorBox error={config.error} /> : <Loading what="flowctl" />}</Page>;
  return (
    <ConfigContext.Provider value={config.data}>
      <Router hook={useHashLocation}>
        <Switch>
          <Route path="/">{() => <FlowsPage />}</Route>
          <Route path="/flows/:flow">{(p) => <RunsPage key={p.flow} flow={d(p.flow)} />}</Route>
          <Route path="/runs/:flow/:runId">{(p) => <RunPage key={`${p.flow}/${p.runId}`} flow={d(p.flow)} runId={d(p.runId)} />}</Route>
          <Route path="/runs/:flow/:runId/:step/:taskId">
            {(p) => <TaskPage key={`${p.flow}/${p.runId}/${p.step}/${p.taskId}`} flow={d(p.flow)} runId={d(p.runId)} step={d(p.step)} taskId={d(p.taskId)} />}
          </Route>
          <Route path="/compare/:runs">{(p) => <ComparePage key={p.runs} runs={p.runs.split(',').map(d)} />}</Route>
          <Route>{() => <Page crumbs={[['not found', null]]}><p>No such page. <a href="#/">Flows</a></p></Page>}</Route>
        </Switch>
      </Router>
    </ConfigContext.Provider>
  );
}
