/**
 * An artifact's preview by kind: text, a JSON tree, a CSV/TSV table (first 1,000 rows), an image,
 * an HTML report in a sandboxed iframe (scripts run in an opaque origin, like Metaflow cards), a
 * directory's files; and a download link for anything.
 */
import { useEffect, useState } from 'react';
import { JsonView, defaultStyles } from 'react-json-view-lite';
import 'react-json-view-lite/dist/index.css';
import { qs } from '../api';
import { bytes, shortHash } from '../format';
import { useJson } from '../hooks';
import type { ArtifactView, TablePreview } from '../types';
import { ErrorBox, Loading } from './Layout';

/** Text previews show the first bytes of a file. */
const TEXT_HEAD = 256 * 1024;
/** JSON larger than this is shown as text (its head). */
const JSON_TREE_MAX = 4 * 1024 * 1024;

export interface TaskRef {
  flow: string;
  runId: string;
  step: string;
  taskId: string;
}

export function ArtifactPreview({ task, path }: { task: TaskRef; path: string }) {
  const base = { flow: task.flow, run: task.runId, step: task.step, task: task.taskId, path };
  const info = useJson<ArtifactView>(`/api/artifact${qs(base)}`);
  const [inner, setInner] = useState<string | null>(null);
  useEffect(() => setInner(null), [path]);
  if (info.error) return <ErrorBox error={info.error} />;
  if (!info.data) return <Loading what={path} />;
  const a = info.data;
  const raw = `/api/artifact/raw${qs(base)}`;
  return (
    <div className="artifact" data-testid="artifact-preview" data-kind={a.preview}>
      <div className="artifact-head">
        <b className="mono">{a.path}</b> <span className="muted">{a.type === 'dir' ? `directory, ${a.files?.length ?? 0} files` : a.contentType}, {bytes(a.size)}{a.sha256 && <>, sha256 {shortHash(a.sha256)}</>}</span>
        {a.type === 'file' && <a className="download" href={`/api/artifact/raw${qs({ ...base, download: '1' })}`} download data-testid="artifact-download">download</a>}
      </div>
      {a.preview === 'text' && <TextPreview url={`${raw}&head=${TEXT_HEAD}`} size={a.size} />}
      {a.preview === 'json' && (a.size <= JSON_TREE_MAX ? <JsonPreview url={raw} /> : <TextPreview url={`${raw}&head=${TEXT_HEAD}`} size={a.size} />)}
      {a.preview === 'table' && <TableView url={`/api/artifact/table${qs(base)}`} />}
      {a.preview === 'image' && <div className="image-box"><img src={raw} alt={a.path} data-testid="artifact-image" /></div>}
      {a.preview === 'html' && <iframe className="html-frame" title={a.path} src={raw} sandbox="allow-scripts allow-popups" data-testid="artifact-html" />}
      {a.preview === 'binary' && <p className="muted">Binary content: download it to look inside.</p>}
      {a.preview === 'dir' && (
        <div className="dir">
          <ul className="files">
            {(a.files ?? []).map((f) => (
              <li key={f.path}><button className={`linklike${inner === f.path ? ' on' : ''}`} onClick={() => setInner(f.path)}>{f.path.slice(a.path.length + 1)}</button> <span className="muted">{bytes(f.size)}</span></li>
            ))}
          </ul>
          {inner && <ArtifactPreview task={task} path={inner} />}
        </div>
      )}
    </div>
  );
}

function useText(url: string): { text?: string; error?: Error } {
  const [state, setState] = useState<{ text?: string; error?: Error }>({});
  useEffect(() => {
    let on = true;
    setState({});
    fetch(url, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`${r.status} ${r.statusText}`))))
      .then((text) => on && setState({ text }), (error: Error) => on && setState({ error }));
    return () => { on = false; };
  }, [url]);
  return state;
}

function TextPreview({ url, size }: { url: string; size: number }) {
  const { text, error } = useText(url);
  if (error) return <ErrorBox error={error} />;
  if (text === undefined) return <Loading what="content" />;
  return (
    <>
      <pre className="log" data-testid="artifact-text">{text}</pre>
      {size > TEXT_HEAD && <p className="muted small">The first {bytes(TEXT_HEAD)} of {bytes(size)}: download the file for the rest.</p>}
    </>
  );
}

function JsonPreview({ url }: { url: string }) {
  const { text, error } = useText(url);
  if (error) return <ErrorBox error={error} />;
  if (text === undefined) return <Loading what="JSON" />;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return <><div className="muted small">Not valid JSON ({(e as Error).message}); as text:</div><pre className="log">{text.slice(0, TEXT_HEAD)}</pre></>;
  }
  return (
    <div className="json-tree" data-testid="json-tree">
      {data !== null && typeof data === 'object'
        ? <JsonView data={data as object} shouldExpandNode={(level) => level < 3} style={defaultStyles} />
        : <pre className="log">{JSON.stringify(data)}</pre>}
    </div>
  );
}

function TableView({ url }: { url: string }) {
  const t = useJson<TablePreview>(url);
  if (t.error) return <ErrorBox error={t.error} />;
  if (!t.data) return <Loading what="table" />;
  const { columns, rows, truncated } = t.data;
  return (
    <>
      <div className="scroll-box table-box">
        <table className="grid" data-testid="csv-table">
          <thead><tr><th className="muted">#</th>{columns.map((c, i) => <th key={i}>{c}</th>)}</tr></thead>
          <tbody>{rows.map((r, i) => <tr key={i}><td className="muted">{i + 1}</td>{r.map((v, j) => <td key={j}>{v}</td>)}</tr>)}</tbody>
        </table>
      </div>
      <p className="muted small">{rows.length} rows{truncated ? ' shown: the first 1,000 (download the file for the rest)' : ''}</p>
    </>
  );
}
