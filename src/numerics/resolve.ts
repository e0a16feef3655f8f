import { FORMATS, isFormatName, type Format, type FormatName } from './formats';

/** A format description or its name; every public function accepts either. */
export type FormatLike = Format | FormatName;

export function resolveFormat(format: FormatLike): Format {
  if (typeof format !== 'string') return format;
  if (isFormatName(format)) return FORMATS[format];
  throw new Error(
    `Unknown number format "${String(format)}": use one of ${Object.keys(FORMATS).join(', ')}.`,
  );
}
