/** The keyboard shortcuts, in a dialog ("?" opens it, Escape closes it). */
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { useLab } from './labContext';

export const SHORTCUTS: [string, string][] = [
  ['Space', 'Play or pause'],
  ['S', 'One training step (while paused)'],
  ['R', 'Reset the run to step 0'],
  ['?', 'Show or hide this help'],
  ['Esc', 'Close this help'],
];

export function HelpOverlay() {
  const { stores, actions } = useLab();
  const open = useStore(stores.ui, (s) => s.helpOpen);
  const onGpu = useStore(stores.run, (s) => s.backend === 'webgpu' && s.state !== 'unconfigured');
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) closeRef.current?.focus();
  }, [open]);
  if (!open) return null;
  const close = () => stores.ui.getState().setHelpOpen(false);
  return (
    <div className="overlay" onClick={close}>
      <div className="card help-dialog" role="dialog" aria-modal="true" aria-labelledby="help-h" onClick={(e) => e.stopPropagation()}>
        <h2 id="help-h">Keyboard shortcuts</h2>
        <table className="data-table">
          <tbody>
            {SHORTCUTS.map(([key, what]) => (
              <tr key={key}>
                <th scope="row">
                  <kbd>{key}</kbd>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="note">
          Shortcuts are ignored while a text box or menu has the focus. Hover a chart to read every lane at that step
          on all charts; click a value to open it in the Formats explorer; click a lane in a legend to hide it.
        </p>
        <h3>When the GPU goes away</h3>
        <p className="note">
          A driver update, a reset or another tab can take the GPU device from the page. The lab then pauses, says why,
          and resumes from the last copy of the weights it keeps on the CPU.{' '}
          {onGpu ? 'See it happen on this run:' : 'Start a run on WebGPU to try it here.'}
        </p>
        {onGpu && (
          <p>
            <button
              type="button"
              data-action="lose-device"
              onClick={() => {
                actions.loseDevice();
                close();
              }}
            >
              Simulate a GPU device loss
            </button>
          </p>
        )}
        <button type="button" ref={closeRef} onClick={close}>
          Close
        </button>
      </div>
    </div>
  );
}
