import type { ReactNode } from 'react';

/** A boxed message: 'warn' for something the person should act on, 'info' for context. */
export function Notice({
  kind,
  title,
  children,
}: {
  kind: 'warn' | 'info' | 'error';
  title?: string;
  children: ReactNode;
}) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'info' ? 'note' : 'alert'}>
      {title && <strong className="notice-title">{title}</strong>}
      <div>{children}</div>
    </div>
  );
}
