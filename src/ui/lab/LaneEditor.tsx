/**
 * One lane's settings: router precision, learning rate and schedule, clipping, the router's
 * auxiliary-loss coefficients, seed, stochastic rounding (pure recipes), GradScaler under
 * PyTorch's argument names, and AdamW's. Each change is checked with lane.ts's validateLane; a
 * valid lane is applied at once, an invalid one keeps the box marked with the sentence beside it.
 */
import { useId, useState, type ReactNode } from 'react';
import { validateLane } from '../../train/lane';
import { RECIPES } from '../../train/recipes';
import type { LaneEntry } from '../../store';
import { laneLabel } from '../charts/chartLanes';
import { draftOf, errorsByField, laneFromDraft, type DraftField, type LaneDraft } from './laneDraft';
import { useLab } from './labContext';

export function LaneEditor({ lane, onClose }: { lane: LaneEntry; onClose: () => void }) {
  const { stores } = useLab();
  const [draft, setDraft] = useState<LaneDraft>(() => draftOf(lane.config));
  const [base, setBase] = useState(lane.config);
  if (base.recipe !== lane.config.recipe || base.label !== lane.config.label) {
    // Recipe or name changed on the card: the scaler defaults differ, start from the lane.
    setBase(lane.config);
    setDraft(draftOf(lane.config));
  }
  const candidate = laneFromDraft(lane.config, draft);
  const errors = errorsByField(validateLane(candidate));
  const recipe = RECIPES[lane.config.recipe];
  const idBase = useId();

  const update = (patch: Partial<LaneDraft>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    const config = laneFromDraft(lane.config, next);
    if (validateLane(config).length === 0) stores.config.getState().setLane(lane.config.id, config);
  };

  const field = (name: DraftField, label: ReactNode, hint: string, input: ReactNode) => {
    const messages = errors.get(name);
    return (
      <div className={messages ? 'field invalid' : 'field'} data-field={name}>
        <label htmlFor={`${idBase}-${name}`}>{label}</label>
        {input}
        {messages ? (
          <span className="input-error" role="alert" id={`${idBase}-${name}-msg`}>
            {messages.join(' ')}
          </span>
        ) : (
          <span className="input-hint">{hint}</span>
        )}
      </div>
    );
  };
  const textBox = (name: DraftField, placeholder?: string) => (
    <input
      id={`${idBase}-${name}`}
      className="mono text-input small"
      value={draft[name] as string}
      placeholder={placeholder}
      aria-invalid={errors.has(name)}
      aria-describedby={errors.has(name) ? `${idBase}-${name}-msg` : undefined}
      spellCheck={false}
      onChange={(e) => update({ [name]: e.target.value } as Partial<LaneDraft>)}
    />
  );
  const check = (name: 'clip' | 'stochasticRounding' | 'scalerEnabled', disabled = false) => (
    <input id={`${idBase}-${name}`} type="checkbox" checked={draft[name]} disabled={disabled} aria-invalid={errors.has(name)} onChange={(e) => update({ [name]: e.target.checked })} />
  );
  const other = errors.get(null);

  return (
    <section className="card lane-editor" aria-label={`Settings of ${laneLabel(lane)}`} data-lane={lane.config.id} style={{ borderLeftColor: lane.colour }}>
      <header className="lane-editor-head">
        <h2>
          <span className="swatch" style={{ background: lane.colour }} /> {laneLabel(lane)}
          {laneLabel(lane) !== recipe.label && <span className="detail">({recipe.label})</span>}
        </h2>
        <button type="button" className="chip" onClick={onClose}>
          Close
        </button>
      </header>
      <p className="note">{recipe.summary}</p>
      {other && <p className="input-error" role="alert">{other.join(' ')}</p>}
      <div className="editor-grid">
        <fieldset>
          <legend>Optimizer (AdamW)</legend>
          {field('lr', 'lr', 'Peak learning rate.', textBox('lr'))}
          {field(
            'scheduleKind',
            'schedule',
            'Constant, or linear warmup then cosine decay.',
            <select id={`${idBase}-scheduleKind`} value={draft.scheduleKind} onChange={(e) => update({ scheduleKind: e.target.value === 'constant' ? 'constant' : 'warmup-cosine' })}>
              <option value="constant">constant</option>
              <option value="warmup-cosine">warmup + cosine</option>
            </select>,
          )}
          {draft.scheduleKind === 'warmup-cosine' && (
            <>
              {field('warmupSteps', 'warmup steps', 'Steps of linear warmup.', textBox('warmupSteps'))}
              {field('totalSteps', 'total steps', 'Where the cosine reaches min lr.', textBox('totalSteps'))}
              {field('minLr', 'min lr', 'Learning rate at the end.', textBox('minLr'))}
            </>
          )}
          {field('clip', 'clip gradients', 'clip_grad_norm_ by global L2 norm.', check('clip'))}
          {draft.clip && field('gradClip', 'max norm', 'Global norm limit.', textBox('gradClip'))}
          {field('weightDecay', 'weight_decay', 'Blank: 0.01.', textBox('weightDecay', '0.01'))}
          {field('beta1', 'beta1', 'Blank: 0.9.', textBox('beta1', '0.9'))}
          {field('beta2', 'beta2', 'Blank: 0.999.', textBox('beta2', '0.999'))}
          {field('eps', 'eps', 'Blank: 1e-8.', textBox('eps', '1e-8'))}
        </fieldset>
        <fieldset>
          <legend>Router and precision</legend>
          {field(
            'router',
            'router precision',
            `f32 keeps the router out of ${recipe.lowFormat.toUpperCase()} (Switch’s selective precision).`,
            <select id={`${idBase}-router`} value={draft.router} onChange={(e) => update({ router: e.target.value === 'low' ? 'low' : 'f32' })}>
              <option value="f32">f32</option>
              <option value="low">low ({recipe.lowFormat})</option>
            </select>,
          )}
          {field('balanceCoef', 'load-balancing α', 'Switch aux loss coefficient (0.01).', textBox('balanceCoef'))}
          {field('zLossCoef', 'router z-loss', 'ST-MoE coefficient (0.001).', textBox('zLossCoef'))}
          {field('seed', 'seed', 'Weight init and stochastic rounding.', textBox('seed'))}
          {field(
            'stochasticRounding',
            'stochastic rounding',
            recipe.allowsStochasticRounding ? 'Round updated BF16 weights up or down at random, in proportion.' : 'Only for weights without a master copy (bf16-pure).',
            check('stochasticRounding'),
          )}
        </fieldset>
        <fieldset>
          <legend>GradScaler (torch.amp)</legend>
          {field('scalerEnabled', 'enabled', recipe.lossScaling.enabled ? 'Dynamic loss scaling (this recipe’s default).' : 'This recipe has no loss scaling by default.', check('scalerEnabled'))}
          {draft.scalerEnabled && (
            <>
              {field('init_scale', 'init_scale', 'PyTorch default 65536.', textBox('init_scale'))}
              {field('growth_factor', 'growth_factor', 'PyTorch default 2.', textBox('growth_factor'))}
              {field('backoff_factor', 'backoff_factor', 'PyTorch default 0.5.', textBox('backoff_factor'))}
              {field('growth_interval', 'growth_interval', 'PyTorch default 2000.', textBox('growth_interval'))}
            </>
          )}
        </fieldset>
      </div>
    </section>
  );
}
