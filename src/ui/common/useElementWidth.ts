import { useEffect, useRef, useState, type RefObject } from 'react';

/** Width in CSS pixels of the element behind the returned ref, following resizes; `initial` until measured. */
export function useElementWidth<T extends HTMLElement>(
  initial: number,
): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w && w > 0) setWidth(Math.floor(w));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
