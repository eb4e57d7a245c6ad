/** Page frame: the header with breadcrumbs, and the states of loading and errors. */
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { report } from '../api';

export function Page({ crumbs, children, actions }: { crumbs: Array<[string, string | null]>; children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page">
      <header className="top">
        <span className="brand">{report ? 'flowctl report' : <Link href="/">flowctl</Link>}</span>
        <nav className="crumbs">
          {crumbs.map(([label, href], i) => (
            <span key={i}>
              <span className="sep">/</span>
              {href && !report ? <Link href={href}>{label}</Link> : <span>{label}</span>}
            </span>
          ))}
        </nav>
        <span className="actions">{actions}</span>
      </header>
      <main>{children}</main>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <div className="loading">Loading {what}…</div>;
}

export function ErrorBox({ error }: { error: Error }) {
  return <div className="error-box" role="alert">{error.message}</div>;
}

export function Section({ title, children, id, extra }: { title: string; children: ReactNode; id?: string; extra?: ReactNode }) {
  return (
    <section className="section" id={id} data-testid={id}>
      <h2>{title}{extra && <span className="section-extra">{extra}</span>}</h2>
      {children}
    </section>
  );
}
