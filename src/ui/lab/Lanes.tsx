/**
 * The row of lanes: each a card with its colour (click to recolour from the palette), name
 * (editable), recipe, state and latest loss; "Settings" opens the lane editor below the row.
 */
import { useState } from 'react';
import { useStore } from 'zustand';
import { colourName, LANE_PALETTE, type LaneEntry } from '../../store';
import { RECIPE_NAMES, RECIPES, type RecipeName } from '../../train/recipes';
import { laneLabel } from '../charts/chartLanes';
import { formatValue } from '../charts/scales';
import { useAnimationFrameValue } from '../charts/useLive';
import { LaneEditor } from './LaneEditor';
import { MAX_LANES } from './labUrl';
import { useLab } from './labContext';

export function Lanes() {
  const { stores, actions } = useLab();
  const lanes = useStore(stores.config, (s) => s.lanes);
  const [editing, setEditing] = useState<string | null>(null);
  const [newRecipe, setNewRecipe] = useState<RecipeName>('fp16-amp');
  const edited = lanes.find((l) => l.config.id === editing);
  return (
    <section className="lanes-section" aria-label="Lanes">
      <div className="lanes-row">
        {lanes.map((lane) => (
          <LaneCard key={lane.config.id} lane={lane} editing={editing === lane.config.id} onEdit={() => setEditing(editing === lane.config.id ? null : lane.config.id)} removable={lanes.length > 1} />
        ))}
        <div className="card lane-add">
          <label>
            <span className="visually-hidden">Recipe of the new lane</span>
            <select value={newRecipe} onChange={(e) => setNewRecipe(e.target.value as RecipeName)} aria-label="Recipe of the new lane">
              {RECIPE_NAMES.map((r) => (
                <option key={r} value={r}>
                  {RECIPES[r].label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => actions.addLane(newRecipe)} disabled={lanes.length >= MAX_LANES} data-action="add-lane">
            + Add lane
          </button>
          {lanes.length >= MAX_LANES && <span className="detail">At most {MAX_LANES} lanes.</span>}
        </div>
      </div>
      {edited && <LaneEditor key={edited.config.id} lane={edited} onClose={() => setEditing(null)} />}
    </section>
  );
}

function LaneCard({ lane, editing, onEdit, removable }: { lane: LaneEntry; editing: boolean; onEdit: () => void; removable: boolean }) {
  const { stores, actions } = useLab();
  const { id, recipe } = lane.config;
  const [palette, setPalette] = useState(false);
  const status = useStore(stores.run, (s) => s.lanes.find((l) => l.id === id));
  const loss = useAnimationFrameValue(stores.series, (s) => s.lanes.get(id)?.column('loss')?.last() ?? NaN);
  const divergence = useAnimationFrameValue(stores.series, (s) => s.lanes.get(id)?.divergence ?? null);
  const config = stores.config.getState();
  return (
    <article className={editing ? 'card lane-card editing' : 'card lane-card'} data-lane={id} style={{ borderTopColor: lane.colour }}>
      <div className="lane-head">
        <button
          type="button"
          className="swatch-button"
          style={{ background: lane.colour }}
          aria-label={`Colour of ${laneLabel(lane)}: ${colourName(lane.colour)}; change`}
          aria-expanded={palette}
          onClick={() => setPalette(!palette)}
        />
        <input
          className="lane-name"
          value={lane.config.label ?? ''}
          placeholder={laneLabel({ ...lane, config: { ...lane.config, label: undefined } })}
          aria-label={`Name of lane ${id}`}
          maxLength={80}
          onChange={(e) => config.renameLane(id, e.target.value)}
        />
      </div>
      {palette && (
        <div className="palette" role="group" aria-label="Lane colour">
          {LANE_PALETTE.map((c) => (
            <button
              key={c.hex}
              type="button"
              className={c.hex === lane.colour ? 'swatch-button chosen' : 'swatch-button'}
              style={{ background: c.hex }}
              aria-label={c.name}
              aria-pressed={c.hex === lane.colour}
              onClick={() => {
                config.setColour(id, c.hex);
                setPalette(false);
              }}
            />
          ))}
        </div>
      )}
      <label className="lane-recipe">
        <span className="visually-hidden">Recipe of lane {id}</span>
        <select
          value={recipe}
          aria-label={`Recipe of lane ${id}`}
          onChange={(e) => {
            const next = e.target.value as RecipeName;
            const { stochasticRounding: _sr, scaler: _sc, ...rest } = lane.config;
            config.setLane(id, { ...rest, recipe: next, ...(RECIPES[next].allowsStochasticRounding && _sr ? { stochasticRounding: true } : {}) });
          }}
        >
          {RECIPE_NAMES.map((r) => (
            <option key={r} value={r}>
              {RECIPES[r].label}
            </option>
          ))}
        </select>
      </label>
      <p className="lane-stats">
        <span className="mono">id {id}</span>
        <span>
          loss <span className="mono">{formatValue(loss)}</span>
        </span>
        {status?.state === 'diverged' || divergence ? <span className="badge warn">diverged</span> : null}
      </p>
      {divergence && <p className="lane-divergence">{divergence.message}</p>}
      <div className="lane-actions">
        <button type="button" className="chip" onClick={onEdit} aria-expanded={editing} data-action="edit-lane">
          {editing ? 'Close settings' : 'Settings'}
        </button>
        <button type="button" className="chip" onClick={() => actions.removeLane(id)} disabled={!removable} aria-label={`Remove lane ${laneLabel(lane)}`}>
          Remove
        </button>
      </div>
    </article>
  );
}
