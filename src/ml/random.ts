/**
 * A small seeded pseudo-random generator, so that every split, subsample and search in
 * `src/ml` is reproducible from one integer seed, on any platform and in any worker.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of
 * state, passes PractRand to many terabytes, and runs on 32-bit integer ops only, which V8
 * keeps unboxed. Seeds are expanded with splitmix32 so that nearby seeds give unrelated streams.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed any integer (or float; only its 32-bit integer part matters) */
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      // splitmix32
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // Warm up so the first outputs do not depend linearly on the seed.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** A log-uniform float in [lo, hi): for scale parameters such as learning rates. */
  logUniform(lo: number, hi: number): number {
    return Math.exp(this.uniform(Math.log(lo), Math.log(hi)));
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    let u = this.float();
    while (u === 0) u = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Shuffles in place (Fisher-Yates) and returns the same array. */
  shuffle<A extends { length: number; [i: number]: number }>(arr: A): A {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
    return arr;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /**
   * A child generator with its own stream, derived from this one's seed material and `key`,
   * without advancing this generator: tree `k` of a forest gets `rng.derive(k)` so results do
   * not depend on the order (or the thread) in which trees are built.
   */
  derive(key: number): Rng {
    return new Rng((Math.imul(this.a ^ this.c, 0x27d4eb2d) + Math.imul(key + 1, 0x9e3779b9)) | 0);
  }
}

/** Draws `k` distinct integers from [0, n), sorted ascending (Floyd's algorithm for small k). */
export function sampleWithoutReplacement(rng: Rng, n: number, k: number): Uint32Array {
  if (k >= n) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  if (k * 4 > n) {
    // Dense case: selection sampling keeps the output sorted in one pass.
    const out = new Uint32Array(k);
    let need = k;
    let j = 0;
    for (let i = 0; i < n && need > 0; i++) {
      if (rng.float() * (n - i) < need) {
        out[j++] = i;
        need--;
      }
    }
    return out;
  }
  if (k * 64 < n) {
    const chosen = new Set<number>();
    for (let j = n - k; j < n; j++) {
      const t = rng.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    return Uint32Array.from(chosen).sort();
  }
  // The same draws (Floyd's algorithm) marked in a byte per row, read back in order: the same
  // sample as the Set above, several times faster when k is not tiny against n.
  const chosen = new Uint8Array(n);
  for (let j = n - k; j < n; j++) {
    const t = rng.int(j + 1);
    chosen[chosen[t] ? j : t] = 1;
  }
  const out = new Uint32Array(k);
  let o = 0;
  for (let i = 0; i < n; i++) if (chosen[i]) out[o++] = i;
  return out;
}
