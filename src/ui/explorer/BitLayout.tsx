import { decode, encode, FORMATS, type FormatName } from '../../numerics';
import { bitAt, bitFormula, fieldsOf, type FieldKind } from './bitFields';
import { showValue } from './display';

const FIELD_LABEL: Record<FieldKind, string> = {
  sign: 'sign',
  exponent: 'exponent',
  mantissa: 'mantissa',
};

/** One format's bits as buttons, coloured by field, most significant first; a click flips the bit. */
export function BitLayout({
  name,
  x,
  onFlip,
}: {
  name: FormatName;
  x: number;
  onFlip: (bit: number) => void;
}) {
  const f = FORMATS[name];
  const bits = encode(f, x);
  return (
    <div className="bit-layout" data-format={name}>
      <div className="bit-layout-label">{f.label}</div>
      <div className="bit-layout-body">
        <div className="bit-fields">
          {fieldsOf(f).map((field) => {
            const width = field.high - field.low + 1;
            const indices = Array.from({ length: width }, (_, k) => field.high - k);
            return (
              <div key={field.kind} className={`bit-field field-${field.kind}`}>
                <div className="bit-field-label">
                  {field.kind === 'sign' ? 'sign' : `${FIELD_LABEL[field.kind]} (${width})`}
                </div>
                <div className="bit-cells">
                  {indices.map((i) => {
                    const b = bitAt(bits, i);
                    return (
                      <button
                        key={i}
                        type="button"
                        className={b ? 'bit one' : 'bit'}
                        data-bit={i}
                        aria-pressed={b === 1}
                        aria-label={`${f.label} bit ${i} (${field.kind}) is ${b}; click to flip`}
                        title={`bit ${i} (${field.kind}): click to flip`}
                        onClick={() => onFlip(i)}
                      >
                        {b}
                      </button>
                    );
                  })}
                </div>
              </div>
            );
          })}
        </div>
        <div className="bit-formula">
          <span className="bit-decoded" data-testid={`decoded-${name}`}>
            {showValue(decode(f, bits))}
          </span>
          <span className="bit-formula-text">= {bitFormula(f, bits)}</span>
        </div>
      </div>
    </div>
  );
}
