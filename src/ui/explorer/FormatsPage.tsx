import { useEffect, useId, useState } from 'react';
import { decode, encode, FORMAT_NAMES, FORMATS, range, type FormatName } from '../../numerics';
import { Notice } from '../common/Notice';
import { flipBit } from './bitFields';
import { BitLayout } from './BitLayout';
import { showShort, showValue } from './display';
import { MemoryCalculator } from './MemoryCalculator';
import { parseNumber } from './parseInput';
import { RangeAxis } from './RangeAxis';
import { RoundingTable } from './RoundingTable';
import { readExplorerUrl, writeExplorerUrl, type ExplorerState } from './urlState';

/** The Formats tab: type a number or click bits, and see how each format stores it. */
export function FormatsPage() {
  const [initial] = useState(() => readExplorerUrl(window.location.search));
  const [state, setState] = useState<ExplorerState>(initial.state);
  const [notices, setNotices] = useState(initial.notices);
  // The last value that parsed: while the box holds a half-typed or bad entry, everything else stays put.
  const [x, setX] = useState(() => {
    const p = parseNumber(initial.state.xText);
    return p.ok ? p.value : 0.1;
  });
  const inputId = useId();
  const parsed = parseNumber(state.xText);

  useEffect(() => writeExplorerUrl(state), [state]);

  const setText = (xText: string) => {
    const p = parseNumber(xText);
    if (p.ok) setX(p.value);
    setState((s) => ({ ...s, xText }));
  };
  const flip = (name: FormatName, bit: number) => {
    const value = decode(name, flipBit(encode(name, x), bit));
    setX(value);
    setState((s) => ({ ...s, xText: showValue(value) }));
  };
  const toggle = (name: FormatName) =>
    setState((s) => ({
      ...s,
      formats: s.formats.includes(name)
        ? s.formats.filter((n) => n !== name)
        : FORMAT_NAMES.filter((n) => n === name || s.formats.includes(n)),
    }));

  return (
    <div className="formats-page">
      {notices.length > 0 && (
        <Notice kind="warn" title="Some of the link's settings could not be read">
          <ul className="notice-list">
            {notices.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
          <button type="button" className="link-button" onClick={() => setNotices([])}>
            Dismiss
          </button>
        </Notice>
      )}

      <section className="card" aria-label="Value and formats">
        <div className="input-row">
          <label htmlFor={inputId}>Number x</label>
          <input
            id={inputId}
            className="mono text-input value-input"
            value={state.xText}
            onChange={(e) => setText(e.target.value)}
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
            {parsed.ok
              ? (parsed.note ??
                'Any decimal, e.g. 65520, 1e-40, -0, inf, nan; or click a bit below.')
              : parsed.message}
          </span>
        </div>
        <fieldset className="format-toggles">
          <legend>Formats shown</legend>
          {FORMAT_NAMES.map((name) => {
            const on = state.formats.includes(name);
            return (
              <label key={name} className={on ? 'toggle on' : 'toggle'}>
                <input
                  type="checkbox"
                  checked={on}
                  disabled={on && state.formats.length === 1}
                  onChange={() => toggle(name)}
                  data-format={name}
                />
                {FORMATS[name].label}
                <span className="toggle-detail">
                  1-{FORMATS[name].exponentBits}-{FORMATS[name].mantissaBits}
                </span>
              </label>
            );
          })}
        </fieldset>
      </section>

      <section className="card" aria-labelledby="bits-h">
        <h2 id="bits-h">Bit layout</h2>
        <p className="note">
          Value = sign × 2<sup>exponent − bias</sup> × (1 + mantissa / 2<sup>m</sup>). Click any bit
          to flip it: x becomes that format's new value and every other format rounds it again.
        </p>
        <div className="bit-layouts">
          {state.formats.map((name) => (
            <BitLayout key={name} name={name} x={x} onFlip={(bit) => flip(name, bit)} />
          ))}
        </div>
      </section>

      <section className="card" aria-labelledby="round-h">
        <h2 id="round-h">
          How each format stores x = <span className="mono">{showValue(x)}</span>
        </h2>
        <RoundingTable formats={state.formats} x={x} />
        <FormatFacts formats={state.formats} />
      </section>

      <section className="card" aria-labelledby="range-h">
        <h2 id="range-h">Ranges on one axis</h2>
        <RangeAxis formats={state.formats} x={x} />
        <div className="notes-grid">
          <p className="note">
            <strong>Subnormal</strong>: below the smallest normal number the exponent field is 0 and
            the leading 1 is gone, so the values are evenly spaced and each halving of x loses one
            significant bit, until x rounds to 0 (underflow).
          </p>
          <p className="note">
            <strong>BF16 vs FP16</strong>: BF16 keeps FP32's 8 exponent bits, so it has FP32's range
            (about 1e-38 to 3e38) and almost never overflows or underflows, but only 7 mantissa
            bits: a rounding error of up to 2<sup>-8</sup> ≈ 0.4%. FP16 has 3 more mantissa bits
            (error up to 2<sup>-11</sup> ≈ 0.05%) but overflows at 65520 and flushes to 0 at 3e-8
            and below, which is why FP16 training scales the loss.
          </p>
        </div>
      </section>

      <MemoryCalculator
        nText={state.nText}
        onChange={(nText) => setState((s) => ({ ...s, nText }))}
      />
    </div>
  );
}

/** Range facts per format, read from the same description as everything else on the page. */
function FormatFacts({ formats }: { formats: readonly FormatName[] }) {
  return (
    <p className="note facts">
      {formats.map((name) => {
        const r = range(name);
        return (
          <span key={name} className="fact">
            <strong>{FORMATS[name].label}</strong> max {showShort(r.maxFinite)}, smallest normal{' '}
            {showShort(r.minNormal)}, smallest subnormal {showShort(r.minSubnormal)}, ε = 2
            <sup>-{FORMATS[name].mantissaBits}</sup>
          </span>
        );
      })}
    </p>
  );
}
