import { useId } from 'react';
import { parseParamCount } from './parseInput';
import {
  bytesPerParameter,
  describeCount,
  formatBytes,
  MEMORY_CATEGORIES,
  RECIPE_MEMORY,
} from './memory';

/** Bytes of training state for N parameters under each recipe (RECIPE_MEMORY). */
export function MemoryCalculator({
  nText,
  onChange,
}: {
  nText: string;
  onChange: (text: string) => void;
}) {
  const inputId = useId();
  const parsed = parseParamCount(nText);
  return (
    <section className="card" aria-labelledby={`${inputId}-h`}>
      <h2 id={`${inputId}-h`}>Memory for training</h2>
      <div className="input-row">
        <label htmlFor={inputId}>Parameters N</label>
        <input
          id={inputId}
          className="mono text-input"
          value={nText}
          onChange={(e) => onChange(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={!parsed.ok}
          aria-describedby={`${inputId}-msg`}
        />
        <span
          id={`${inputId}-msg`}
          className={parsed.ok ? 'input-hint' : 'input-error'}
          role={parsed.ok ? undefined : 'alert'}
        >
          {parsed.ok ? `${describeCount(parsed.value)} parameters` : parsed.message}
        </span>
      </div>
      {parsed.ok && (
        <table className="data-table memory-table">
          <thead>
            <tr>
              <th scope="col">recipe</th>
              {MEMORY_CATEGORIES.map((c) => (
                <th scope="col" key={c.key} className="num">
                  {c.label}
                </th>
              ))}
              <th scope="col" className="num">
                total
              </th>
            </tr>
          </thead>
          <tbody>
            {RECIPE_MEMORY.map((r) => (
              <tr key={r.recipe} data-recipe={r.recipe}>
                <th scope="row">
                  <span className="mono">{r.recipe}</span>
                  <span className="row-summary">{r.summary}</span>
                </th>
                {MEMORY_CATEGORIES.map((c) => (
                  <td key={c.key} className="num" data-col={c.key}>
                    {formatBytes(parsed.value * r.bytes[c.key])}
                    {r.bytes[c.key] > 0 && (
                      <span className="per-param">{r.bytes[c.key]} B/param</span>
                    )}
                  </td>
                ))}
                <td className="num total" data-col="total">
                  {formatBytes(parsed.value * bytesPerParameter(r))}
                  <span className="per-param">{bytesPerParameter(r)} B/param</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="note">
        Decimal units: 1 GB = 10<sup>9</sup> bytes, 1 TB = 10<sup>12</sup>, so 500 billion
        parameters take 2.0 TB in FP32 weights alone. Assumed as this lab stores them: low-precision
        recipes keep weights <em>and</em> gradients in 2 bytes; AdamW's m and v stay in f32 (8 B) in
        every recipe, bf16-pure included; the amp recipes add a 4-byte f32 master copy. PyTorch's
        torch.amp instead keeps f32 weights and f32 gradients and casts per step (16 B/param before
        activations). Activations are not counted: they grow with batch size and context length.
      </p>
    </section>
  );
}
