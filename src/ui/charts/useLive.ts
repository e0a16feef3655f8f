/**
 * Transient subscriptions for the charts (zustand's pattern for fast-changing values): the store
 * is subscribed in an effect, the latest value kept in a ref, and the chart re-renders at most
 * once per animation frame. Only the charts redraw per training step; the page does not.
 */
import { useEffect, useRef, useState } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { useLab } from '../lab/labContext';

export function useAnimationFrameValue<S, T>(store: StoreApi<S>, select: (s: S) => T): T {
  const selectRef = useRef(select);
  const [value, setValue] = useState(() => select(store.getState()));
  useEffect(() => {
    selectRef.current = select;
  });
  useEffect(() => {
    let frame = 0;
    const latest = { value: selectRef.current(store.getState()) };
    const flush = () => {
      frame = 0;
      setValue(latest.value);
    };
    const unsubscribe = store.subscribe((state) => {
      latest.value = selectRef.current(state);
      if (frame === 0) frame = requestAnimationFrame(flush);
    });
    // A change between the first render and this effect is not lost.
    setValue(latest.value);
    return () => {
      unsubscribe();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [store]);
  return value;
}

/** The series version and the hovered step, each at most once per frame. */
export function useLive(): { version: number; hovered: number | null } {
  const { stores } = useLab();
  const version = useAnimationFrameValue(stores.series, (s) => s.version);
  const hovered = useAnimationFrameValue(stores.ui, (s) => s.hoveredStep);
  return { version, hovered };
}
