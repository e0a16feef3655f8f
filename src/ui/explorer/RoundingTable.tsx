import { classify, decode, encode, FORMATS, type FormatName } from '../../numerics';
import { Tip } from '../common/Tip';
import { toBinaryFields, toHex } from './bitFields';
import { EVENT_INFO, showRelativeError, showValue } from './display';

/** What each format stores for x: value, bits, relative error and the cast event. */
export function RoundingTable({ formats, x }: { formats: readonly FormatName[]; x: number }) {
  return (
    <table className="data-table rounding-table">
      <thead>
        <tr>
          <th scope="col">format</th>
          <th scope="col">stored value</th>
          <th scope="col">bits (hex)</th>
          <th scope="col">bits: sign exponent mantissa</th>
          <th scope="col">relative error</th>
          <th scope="col">event</th>
        </tr>
      </thead>
      <tbody>
        {formats.map((name) => {
          const f = FORMATS[name];
          const bits = encode(f, x);
          const stored = decode(f, bits);
          const event = classify(f, x);
          const [s, e, m] = toBinaryFields(f, bits);
          return (
            <tr key={name} data-format={name}>
              <th scope="row">{f.label}</th>
              <td className="mono" data-col="value">
                {showValue(stored)}
              </td>
              <td className="mono" data-col="hex">
                {toHex(f, bits)}
              </td>
              <td className="mono bits-split" data-col="binary">
                <span className="field-sign">{s}</span> <span className="field-exponent">{e}</span>{' '}
                <span className="field-mantissa">{m}</span>
              </td>
              <td className="mono" data-col="error">
                {showRelativeError(x, stored)}
              </td>
              <td data-col="event">
                <Tip text={EVENT_INFO[event].definition} className={`badge event-${event}`}>
                  {EVENT_INFO[event].label}
                </Tip>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
