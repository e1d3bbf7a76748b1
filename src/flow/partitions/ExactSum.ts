/**
 * An exact sum of doubles: `m · 2^k` with a BigInt `m`, so adding partitions' sums in any order
 * gives the same value to the last bit (floating-point sums depend on the order). Serialised as
 * text (`"m*2^k"`) so a summary can travel between workers as JSON.
 */
export interface ExactSum {
  m: bigint;
  k: number;
}

export const ZERO: ExactSum = { m: 0n, k: 0 };

export function exact(m: bigint, k = 0): ExactSum {
  return normalise({ m, k });
}

/** The sum with the least exponent: trailing zero bits moved into `k` (one form per value). */
function normalise(x: ExactSum): ExactSum {
  if (x.m === 0n) return ZERO;
  let { m, k } = x;
  while ((m & 0xffffffffn) === 0n) {
    m >>= 32n;
    k += 32;
  }
  while ((m & 1n) === 0n) {
    m >>= 1n;
    k += 1;
  }
  return { m, k };
}

export function add(a: ExactSum, b: ExactSum): ExactSum {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const k = Math.min(a.k, b.k);
  return normalise({ m: (a.m << BigInt(a.k - k)) + (b.m << BigInt(b.k - k)), k });
}

export function mul(a: ExactSum, b: ExactSum): ExactSum {
  return normalise({ m: a.m * b.m, k: a.k + b.k });
}

export function scale(a: ExactSum, n: bigint): ExactSum {
  return normalise({ m: a.m * n, k: a.k });
}

export function sub(a: ExactSum, b: ExactSum): ExactSum {
  return add(a, { m: -b.m, k: b.k });
}

/** The exact value of a finite double. */
export function fromDouble(x: number): ExactSum {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  if (x === 0) return ZERO;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  return e === 0 ? exact(sign * frac, -1074) : exact(sign * (frac | (1n << 52n)), e - 1075);
}

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);

/** 2^p as a double, for p beyond the range one `2 ** p` covers. */
function pow2(x: number, p: number): number {
  let r = x;
  let q = p;
  while (q > 1000) {
    r *= 2 ** 1000;
    q -= 1000;
  }
  while (q < -1000) {
    r *= 2 ** -1000;
    q += 1000;
  }
  return r * 2 ** q;
}

/**
 * `a / d` rounded once to the nearest double (ties to even): the quotient is computed to at least
 * 66 bits with a sticky bit for the remainder, and BigInt-to-Number conversion rounds correctly.
 * A result in the subnormal range may be off by one unit in the last place.
 */
export function divide(a: ExactSum, d: bigint): number {
  if (d === 0n) throw new RangeError('division by zero');
  if (a.m === 0n) return 0;
  const negative = a.m < 0n !== d < 0n;
  const m = a.m < 0n ? -a.m : a.m;
  const den = d < 0n ? -d : d;
  const s = Math.max(0, 66 - bitLength(m) + bitLength(den));
  const num = m << BigInt(s);
  let q = num / den;
  const rest = num % den;
  q = (q << 1n) | (rest === 0n ? 0n : 1n);
  const value = pow2(Number(q), a.k - s - 1);
  return negative ? -value : value;
}

export function toDouble(a: ExactSum): number {
  return divide(a, 1n);
}

export function toText(a: ExactSum): string {
  return `${a.m}*2^${a.k}`;
}

export function fromText(text: string): ExactSum {
  const match = /^(-?\d+)\*2\^(-?\d+)$/.exec(text);
  if (!match) throw new SyntaxError(`not an exact sum: ${JSON.stringify(text)}`);
  return exact(BigInt(match[1]!), Number(match[2]));
}
