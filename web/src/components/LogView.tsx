/**
 * A task's log, followed live while it is written (server-sent events), through retries. It starts
 * at the log's tail and keeps at most MAX_CHARS in the page, dropping the oldest lines: a log of
 * any length leaves the tab as light as a short one. The whole log is a download away.
 */
import { useEffect, useRef, useState } from 'react';
import { live, qs } from '../api';
import { bytes } from '../format';

const MAX_CHARS = 2 * 1024 * 1024;

export interface LogTarget {
  flow: string;
  runId: string;
  step: string;
  taskId: string;
}

export function LogView({ target, stream, attempt }: { target: LogTarget; stream: 'stdout' | 'stderr'; attempt: number }) {
  const [text, setText] = useState('');
  const [dropped, setDropped] = useState(0);
  const [status, setStatus] = useState('connecting');
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  const params = { flow: target.flow, run: target.runId, step: target.step, task: target.taskId, stream, attempt: String(attempt) };
  const key = JSON.stringify(params);
  useEffect(() => {
    setText('');
    setDropped(0);
    setStatus('following');
    let buf = '';
    let lost = 0;
    let pending = false;
    const flush = () => {
      pending = false;
      if (buf.length > MAX_CHARS) {
        const cut = buf.indexOf('\n', buf.length - MAX_CHARS);
        const at = cut < 0 ? buf.length - MAX_CHARS : cut + 1;
        lost += at;
        buf = buf.slice(at);
        setDropped(lost);
      }
      setText(buf);
    };
    const schedule = () => {
      if (!pending) {
        pending = true;
        requestAnimationFrame(flush);
      }
    };
    return live(`/api/logs/live${qs(params)}`, {
      skipped: (d: { bytes: number }) => { lost += d.bytes; setDropped(lost); },
      data: (d: { text: string }) => { buf += d.text; schedule(); },
      end: (d: { reason: string; state: string | null }) => setStatus(d.reason === 'aborted' ? 'stopped' : `ended (${d.reason.replace('-', ' ')}${d.state ? `: ${d.state}` : ''})`),
      failure: (d: { error: string }) => setStatus(`error: ${d.error}`),
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useEffect(() => {
    if (stick.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text]);
  const raw = `/api/logs/raw${qs({ ...params, download: '1' })}`;
  return (
    <div className="logview">
      <div className="log-status muted small" data-testid="log-status">
        {status}{dropped > 0 && <> · the first {bytes(dropped)} are not shown</>} · <a href={raw} download>download the whole log</a>
      </div>
      <pre className="log" ref={box} data-testid="task-log" onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}>{text || <span className="muted">(no output yet)</span>}</pre>
    </div>
  );
}
