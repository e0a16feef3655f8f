/**
 * Transient subscriptions for the charts (zustand's pattern for fast-changing values): the store
 * is subscribed in an effect, the latest value kept in a ref, and the chart re-renders at most
 * once per animation frame. Only the charts redraw per training step; the page does not.
 */
import { startTransition, useEffect, useRef, useState } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { useLab } from '../lab/labContext';

/** `urgent`: render in the frame the value changed (what the pointer moves), not as a transition. */
export function useAnimationFrameValue<S, T>(store: StoreApi<S>, select: (s: S) => T, urgent = false): T {
  const selectRef = useRef(select);
  const [value, setValue] = useState(() => select(store.getState()));
  useEffect(() => {
    selectRef.current = select;
  });
  useEffect(() => {
    let frame = 0;
    const latest = { value: selectRef.current(store.getState()) };
    // A transition by default: React renders the charts in slices of ~5 ms between other work
    // instead of one task for all of them (nine charts in one task is a long task).
    const flush = () => {
      frame = 0;
      if (urgent) setValue(latest.value);
      else startTransition(() => setValue(latest.value));
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
  }, [store, urgent]);
  return value;
}

/** The series version (a transition) and the hovered step (urgent), each at most once per frame. */
export function useLive(): { version: number; hovered: number | null } {
  const { stores } = useLab();
  const version = useAnimationFrameValue(stores.series, (s) => s.version);
  const hovered = useAnimationFrameValue(stores.ui, (s) => s.hoveredStep, true);
  return { version, hovered };
}
