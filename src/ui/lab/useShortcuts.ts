/** Space play/pause, S step, R reset, ? help, Esc close help; not while typing in a form field. */
import { useEffect } from 'react';
import type { LabEnv } from './labContext';

const typing = (target: EventTarget | null): boolean => {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) || el.isContentEditable;
};

export function useShortcuts({ stores, actions }: LabEnv): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      const ui = stores.ui.getState();
      if (e.key === 'Escape' && ui.helpOpen) {
        ui.setHelpOpen(false);
        return;
      }
      if (e.key === '?') {
        ui.setHelpOpen(!ui.helpOpen);
        e.preventDefault();
        return;
      }
      if (ui.helpOpen) return;
      if (e.key === ' ') {
        // A focused button would also take the space as a click.
        e.preventDefault();
        actions.togglePlay();
      } else if (e.key === 's' || e.key === 'S') actions.stepOnce();
      else if (e.key === 'r' || e.key === 'R') actions.reset();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [stores, actions]);
}
