/** A run's tags, editable under `flowctl ui` (tagging is the one change the UI makes to the store). */
import { useState } from 'react';
import { postJson, report } from '../api';
import type { RunJson, RunRow } from '../types';

export function Tags({ run, onChange }: { run: Pick<RunJson, 'flow' | 'runId' | 'tags'>; onChange: (tags: string[]) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const edit = async (body: { add?: string[]; remove?: string[] }) => {
    try {
      const row = await postJson<RunRow>(`/api/runs/${encodeURIComponent(run.flow)}/${encodeURIComponent(run.runId)}/tags`, body);
      onChange(row.tags);
      setError(undefined);
      setText('');
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <span className="tags" data-testid="tags">
      {run.tags.map((t) => (
        <span key={t} className="tag" data-testid="tag">
          {t}
          {!report && <button className="tag-x" title={`remove tag ${t}`} aria-label={`remove tag ${t}`} onClick={() => void edit({ remove: [t] })}>×</button>}
        </span>
      ))}
      {run.tags.length === 0 && report && <span className="muted">none</span>}
      {!report && (
        <form className="tag-add" onSubmit={(e) => { e.preventDefault(); if (text.trim()) void edit({ add: text.trim().split(/[\s,]+/) }); }}>
          <input value={text} placeholder="add tag" aria-label="add tag" onChange={(e) => setText(e.target.value)} size={10} />
        </form>
      )}
      {error && <span className="error-inline" role="alert">{error}</span>}
    </span>
  );
}
