/**
 * The generated conversion helpers, run on the CPU by a small interpreter of the straight-line
 * WGSL subset they are written in (let / return, u32 and bool operators, select, min, max,
 * bitcast, f32(i32(..)), vec3), and compared with numerics encode / decode / classify /
 * stochasticRound. The interpreter refuses `if`, loops and short-circuit operators, so it also
 * checks that the helpers stay branch-free. The GPU runs the same text in e2e/gpu-conversion.
 */
import { describe, expect, it } from 'vitest';
import {
  classify,
  decode,
  f32Bits,
  FORMATS,
  isCountedEvent,
  random32,
  stochasticRound,
  type FormatName,
} from '../../numerics';
import { expectedEncode } from '../selftest/conversion';
import { isNaNBits, NARROW_FORMATS, testValueBits, valueOf } from '../selftest/values';
import { EVENT_CODE, eventCodesWgsl } from './counters';
import { formatWgsl, wgslFormatId } from './formatWgsl';

// ---- interpreter: values are u32 (number in [0, 2^32)), bool, vec3 (number[]), i32 / f32 (tagged)
type Value = number | boolean | number[] | { i32: number } | { f32: number };
type Node =
  | { k: 'lit'; v: Value }
  | { k: 'id'; name: string }
  | { k: 'un'; op: string; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'field'; a: Node; f: string };

const TOKEN =
  /\s*(0x[0-9A-Fa-f]+u|\d+u|[A-Za-z_]\w*(?:<\w+>)?|<<|>>|<=|>=|==|!=|&&|\|\||[-+*&|^<>(),.!~?])/y;
const PRECEDENCE: Record<string, number> = {
  '|': 1,
  '^': 2,
  '&': 3,
  '==': 4,
  '!=': 4,
  '<': 5,
  '>': 5,
  '<=': 5,
  '>=': 5,
  '<<': 6,
  '>>': 6,
  '+': 7,
  '-': 7,
};

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.trimEnd().length) {
    const m = TOKEN.exec(src);
    if (!m)
      throw new Error(`cannot read WGSL at "${src.slice(TOKEN.lastIndex, TOKEN.lastIndex + 20)}"`);
    out.push(m[1]);
  }
  return out;
}

function parseExpr(src: string): Node {
  const t = tokenize(src);
  let i = 0;
  const expect = (s: string) => {
    if (t[i++] !== s) throw new Error(`expected "${s}" in ${src}`);
  };
  const primary = (): Node => {
    const tok = t[i++];
    let node: Node;
    if (tok === '(') {
      node = binary(0);
      expect(')');
    } else if (tok === '!' || tok === '-' || tok === '~') node = { k: 'un', op: tok, a: primary() };
    else if (/^(0x[0-9A-Fa-f]+|\d+)u$/.test(tok)) node = { k: 'lit', v: Number(tok.slice(0, -1)) };
    else if (/^[A-Za-z_]/.test(tok) && t[i] === '(') {
      i++;
      const args: Node[] = [];
      while (t[i] !== ')') {
        args.push(binary(0));
        if (t[i] === ',') i++;
      }
      i++;
      node = { k: 'call', name: tok, args };
    } else if (/^[A-Za-z_]/.test(tok)) node = { k: 'id', name: tok };
    else throw new Error(`unexpected "${tok}" in ${src} (not straight-line u32 code)`);
    while (t[i] === '.') {
      node = { k: 'field', a: node, f: t[i + 1] };
      i += 2;
    }
    return node;
  };
  const binary = (min: number): Node => {
    let a = primary();
    for (;;) {
      const op = t[i];
      const p = PRECEDENCE[op];
      if (p === undefined || p <= min) return a;
      i++;
      a = { k: 'bin', op, a, b: binary(p) };
    }
  };
  const node = binary(0);
  if (i !== t.length)
    throw new Error(`unexpected "${t[i]}" in ${src} (not straight-line u32 code)`);
  return node;
}

const f32Of = (u: number) => new Float32Array(new Uint32Array([u]).buffer)[0];
const u32 = (v: Value): number => {
  if (typeof v !== 'number') throw new Error(`expected a u32, got ${JSON.stringify(v)}`);
  return v;
};

interface Fn {
  name: string;
  params: string[];
  stmts: string[];
  body?: { name: string | null; expr: Node }[];
}

/** `let name = expr` statements, then `return expr`; anything else is a branch or loop. */
function parseBody(fn: Fn): NonNullable<Fn['body']> {
  return fn.stmts.map((s) => {
    const let_ = /^let (\w+) = ([\s\S]+)$/.exec(s);
    if (let_) return { name: let_[1], expr: parseExpr(let_[2]) };
    const ret = /^return ([\s\S]+)$/.exec(s);
    if (ret) return { name: null, expr: parseExpr(ret[1]) };
    throw new Error(`fn ${fn.name}: "${s.slice(0, 40)}" is not a let or return: not straight-line`);
  });
}

/** The consts and fns of a WGSL module text (fn bodies: `let` statements, then one `return`). */
class Module {
  consts = new Map<string, Value>();
  fns = new Map<string, Fn>();
  constructor(code: string) {
    const text = code.replace(/\/\/[^\n]*/g, '');
    for (const m of text.matchAll(/^const (\w+) = ([^;]+);/gm))
      this.consts.set(m[1], this.eval(parseExpr(m[2]), new Map()));
    for (const m of text.matchAll(/fn (\w+)\(([^)]*)\)[^{]*\{/g)) {
      let depth = 1;
      let j = m.index + m[0].length;
      for (; depth > 0; j++) depth += text[j] === '{' ? 1 : text[j] === '}' ? -1 : 0;
      const stmts = text
        .slice(m.index + m[0].length, j - 1)
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean);
      const params = m[2]
        .split(',')
        .map((p) => p.split(':')[0].trim())
        .filter(Boolean);
      // Bodies are parsed on first call: event_onehot (vec4) is never called here.
      this.fns.set(m[1], { name: m[1], params, stmts });
    }
  }

  call(name: string, args: Value[]): Value {
    const fn = this.fns.get(name);
    if (!fn) throw new Error(`no fn ${name}`);
    fn.body ??= parseBody(fn);
    const env = new Map<string, Value>(fn.params.map((p, k) => [p, args[k]]));
    for (const s of fn.body) {
      const v = this.eval(s.expr, env);
      if (s.name === null) return v;
      env.set(s.name, v);
    }
    throw new Error(`fn ${name} has no return`);
  }

  eval(n: Node, env: Map<string, Value>): Value {
    switch (n.k) {
      case 'lit':
        return n.v;
      case 'id': {
        const v = env.get(n.name) ?? this.consts.get(n.name);
        if (v === undefined) throw new Error(`unknown name ${n.name}`);
        return v;
      }
      case 'field':
        return (this.eval(n.a, env) as number[])['xyz'.indexOf(n.f)];
      case 'un': {
        const a = this.eval(n.a, env);
        if (n.op === '!') return !a;
        if (n.op === '~') return ~u32(a) >>> 0;
        return -u32(a) >>> 0;
      }
      case 'bin': {
        const a = this.eval(n.a, env);
        const b = this.eval(n.b, env);
        if (typeof a === 'boolean' && typeof b === 'boolean') {
          if (n.op === '&') return a && b;
          if (n.op === '|') return a || b;
          if (n.op === '==') return a === b;
          if (n.op === '!=') return a !== b;
        }
        const x = u32(a);
        const y = u32(b);
        switch (n.op) {
          case '+':
            return (x + y) >>> 0;
          case '-':
            return (x - y) >>> 0;
          case '<<':
            return (x << (y & 31)) >>> 0; // WGSL: the shift count is taken mod 32
          case '>>':
            return x >>> (y & 31);
          case '&':
            return (x & y) >>> 0;
          case '|':
            return (x | y) >>> 0;
          case '^':
            return (x ^ y) >>> 0;
          case '==':
            return x === y;
          case '!=':
            return x !== y;
          case '<':
            return x < y;
          case '>':
            return x > y;
          case '<=':
            return x <= y;
          case '>=':
            return x >= y;
        }
        throw new Error(`operator ${n.op}`);
      }
      case 'call': {
        const args = n.args.map((a) => this.eval(a, env));
        switch (n.name) {
          case 'select':
            return args[2] ? args[1] : args[0];
          case 'min':
            return Math.min(u32(args[0]), u32(args[1]));
          case 'max':
            return Math.max(u32(args[0]), u32(args[1]));
          case 'vec3<u32>':
            return args.map(u32);
          case 'i32':
            return { i32: u32(args[0]) | 0 };
          // An integer converts to the f32 nearest it (exactly, below 2^24).
          case 'f32':
            return { f32: Math.fround((args[0] as { i32: number }).i32) };
          case 'bitcast<u32>':
            return f32Bits((args[0] as { f32: number }).f32);
          case 'bitcast<f32>':
            return { f32: f32Of(u32(args[0])) };
        }
        return this.call(n.name, args);
      }
    }
  }
}

// ---- the tests
const moduleOf = (f: FormatName) => new Module(eventCodesWgsl() + formatWgsl(f));
const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;
const VALUES = testValueBits(100_000);

describe.each(NARROW_FORMATS)('generated %s helpers on the CPU', (format) => {
  const f = FORMATS[format];
  const id = wgslFormatId(format);
  const wgsl = moduleOf(format);

  it('decode every bit pattern as numerics decode', () => {
    const bad: string[] = [];
    for (let p = 0; p < 2 ** f.bits; p++) {
      const got = u32(wgsl.call(`${id}_bits_to_f32bits`, [p]));
      const v = decode(f, p);
      const ok = Number.isNaN(v)
        ? isNaNBits(got) && got >>> 31 === p >>> (f.bits - 1)
        : got === f32Bits(v);
      if (!ok) bad.push(`${hex(p)} -> ${hex(got)}, want ${v}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('round to nearest even and report the event as numerics encode / classify', () => {
    const bad: string[] = [];
    for (const x of VALUES) {
      const b = u32(wgsl.call(`f32bits_to_${id}_bits`, [x]));
      const want = expectedEncode(format, x);
      const event = classify(f, valueOf(x));
      const wantEvent = isCountedEvent(event) ? EVENT_CODE[event] : EVENT_CODE.none;
      const gotEvent = u32(wgsl.call(`${id}_event`, [x, b]));
      if (b !== want || gotEvent !== wantEvent)
        bad.push(`${hex(x)}: ${hex(b)} event ${gotEvent}, want ${hex(want)} event ${wantEvent}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('round stochastically as numerics stochasticRound with the same random words', () => {
    const bad: string[] = [];
    VALUES.slice(0, 30_000).forEach((x, i) => {
      const r = random32(7, i);
      const got = u32(wgsl.call(`stochastic_${id}_bits`, [x, r]));
      const want = isNaNBits(x) ? expectedEncode(format, x) : stochasticRound(f, valueOf(x), r);
      if (got !== want) bad.push(`${hex(x)} r=${hex(r)}: ${hex(got)}, want ${hex(want)}`);
    });
    expect(bad.slice(0, 5)).toEqual([]);
  });
});

describe('the interpreter', () => {
  it('refuses branches, so the helpers above are straight-line', () => {
    const m = new Module('fn g(x: u32) -> u32 {\n  if (x == 0u) { return 1u; }\n  return x;\n}');
    expect(() => m.call('g', [0])).toThrow(/not straight-line/);
    expect(() => parseExpr('a || b')).toThrow(/not straight-line/);
  });

  it('wraps u32 arithmetic and takes shift counts mod 32 as WGSL does', () => {
    const m = new Module('fn g(x: u32) -> u32 { return (x - 1u) + (x << 33u); }');
    expect(m.call('g', [0])).toBe(0xffffffff);
    expect(m.call('g', [1])).toBe(2);
  });
});
