import type { ReactNode } from 'react';

/** Inline element with a tooltip shown on hover and keyboard focus (CSS, .tip in styles.css); the
 * text is also the accessible description. */
export function Tip({
  text,
  className,
  children,
}: {
  text: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <span
      className={className ? `tip ${className}` : 'tip'}
      data-tip={text}
      aria-description={text}
      tabIndex={0}
    >
      {children}
    </span>
  );
}
