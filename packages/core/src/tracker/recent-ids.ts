/**
 * The detection ids seen in a sliding time window, for the duplicate check of the batch
 * runner (spec/interchange.md: a repeated detection id is a duplicate and is dropped).
 *
 * Why not a Map of strings: live at 20,000 detections a second and a 120 s window the Map held
 * about 2.4 million id strings, each with its entry and a queue object, a few hundred MB of
 * live heap that every major collection marks (server.md, "Throughput and memory at the top of
 * the machine"). Here an id is kept as a 63-bit fingerprint (two 32-bit hashes of its UTF-16
 * code units, the second made odd) in typed arrays: an open-addressing table with linear
 * probing and backward-shift deletion (8 bytes a slot, at most half full), and a FIFO ring of
 * (fingerprint, time) in arrival order for forgetting (16 bytes an entry); both double as they
 * fill, so 32-64 bytes an id (2.4 million ids: 134 MB), none of them objects the collector has
 * to trace.
 *
 * The hashes are keyed with a seed (core is pure: the caller draws it; the service and the
 * batch command pass a random one), so that ids cannot be chosen to pile into one probe run or
 * to share a fingerprint with another sensor's. Which ids are refused does not depend on the
 * seed, only the table's layout does (fingerprint collisions aside).
 *
 * The cost of a fingerprint: two different ids share one with probability 2^-63 per pair, so
 * with n ids in the window a new id is taken for a duplicate with probability about n·2^-63
 * (2.4 million ids: 2.6e-13 per detection; at 20,000 a second all year, about one wrong
 * refusal in six years).
 */

/** Two 32-bit hashes of a string's UTF-16 code units (FNV-1a and a multiply-xorshift, started from the seed's halves), each finished with murmur3's fmix32. */
function fingerprint(s: string, out: Int32Array, seed: Int32Array): void {
  let h1 = 0x811c9dc5 ^ s.length ^ seed[0];
  let h2 = 0x9747b28c ^ seed[1];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  out[0] = fmix32(h1);
  // the table's empty slot is (0, 0): keep the second hash odd so no id maps to it
  out[1] = fmix32(h2 ^ Math.imul(s.length, 0x27d4eb2d)) | 1;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class RecentIds {
  /** Table of fingerprints: slot i holds (keys[2i], keys[2i+1]); (0, 0) is empty. */
  private keys: Int32Array;
  private mask: number;
  private count = 0;
  /** FIFO ring in arrival order: fingerprints and the detection times they came with. */
  private ringKeys: Int32Array;
  private ringT: Float64Array;
  private head = 0;
  private length = 0;
  private readonly fp = new Int32Array(2);
  private readonly seed = new Int32Array(2);

  /** `seed`: two 32-bit integers keying the hashes (a random draw against chosen ids). */
  constructor(initialCapacity = 1024, seed: ArrayLike<number> = [0, 0]) {
    if (!(initialCapacity >= 1)) throw new Error(`RecentIds: initialCapacity must be >= 1, got ${initialCapacity}`);
    initialCapacity = Math.ceil(initialCapacity);
    this.seed[0] = seed[0] | 0;
    this.seed[1] = seed[1] | 0;
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Int32Array(cap * 2);
    this.mask = cap - 1;
    this.ringKeys = new Int32Array(initialCapacity * 2);
    this.ringT = new Float64Array(initialCapacity);
  }

  /** Ids currently remembered. */
  get size(): number {
    return this.count;
  }

  /**
   * Remembers `id` (seen with a detection at time `t`) and returns true, or returns false
   * without change when it is already remembered.
   */
  add(id: string, t: number): boolean {
    fingerprint(id, this.fp, this.seed);
    const a = this.fp[0];
    const b = this.fp[1];
    if (this.find(a, b) >= 0) return false;
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    this.insert(a, b);
    this.count++;
    this.pushRing(a, b, t);
    return true;
  }

  /** Whether `id` is remembered. */
  has(id: string): boolean {
    fingerprint(id, this.fp, this.seed);
    return this.find(this.fp[0], this.fp[1]) >= 0;
  }

  /** Forgets the ids that arrived with a time before `limit`, oldest arrival first, stopping at the first one at or after it (ids arrive roughly in time order). */
  forgetBefore(limit: number): void {
    const cap = this.ringT.length;
    while (this.length > 0 && this.ringT[this.head] < limit) {
      const slot = this.find(this.ringKeys[2 * this.head], this.ringKeys[2 * this.head + 1]);
      if (slot >= 0) {
        this.remove(slot);
        this.count--;
      }
      this.head = (this.head + 1) % cap;
      this.length--;
    }
  }

  /** The slot a fingerprint's probe run starts at. */
  private home(a: number, b: number): number {
    return (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
  }

  private find(a: number, b: number): number {
    const keys = this.keys;
    let i = this.home(a, b);
    for (;;) {
      const ka = keys[2 * i];
      const kb = keys[2 * i + 1];
      if (ka === a && kb === b) return i;
      if (ka === 0 && kb === 0) return -1;
      i = (i + 1) & this.mask;
    }
  }

  private insert(a: number, b: number): void {
    const keys = this.keys;
    let i = this.home(a, b);
    while (keys[2 * i] !== 0 || keys[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    keys[2 * i] = a;
    keys[2 * i + 1] = b;
  }

  /** Backward-shift deletion for linear probing: no tombstones, so lookups stay short however many ids come and go. */
  private remove(slot: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let hole = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      const ka = keys[2 * j];
      const kb = keys[2 * j + 1];
      if (ka === 0 && kb === 0) break;
      const home = this.home(ka, kb);
      // the entry at j may move to the hole when its home is not cyclically within (hole, j]
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        keys[2 * hole] = ka;
        keys[2 * hole + 1] = kb;
        hole = j;
      }
    }
    keys[2 * hole] = 0;
    keys[2 * hole + 1] = 0;
  }

  private grow(): void {
    const old = this.keys;
    const cap = (this.mask + 1) * 2;
    this.keys = new Int32Array(cap * 2);
    this.mask = cap - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i], old[i + 1]);
    }
  }

  private pushRing(a: number, b: number, t: number): void {
    let cap = this.ringT.length;
    if (this.length === cap) {
      // unroll the ring into arrays twice the size
      const keys = new Int32Array(cap * 4);
      const ts = new Float64Array(cap * 2);
      for (let k = 0; k < this.length; k++) {
        const from = (this.head + k) % cap;
        keys[2 * k] = this.ringKeys[2 * from];
        keys[2 * k + 1] = this.ringKeys[2 * from + 1];
        ts[k] = this.ringT[from];
      }
      this.ringKeys = keys;
      this.ringT = ts;
      this.head = 0;
      cap *= 2;
    }
    const at = (this.head + this.length) % cap;
    this.ringKeys[2 * at] = a;
    this.ringKeys[2 * at + 1] = b;
    this.ringT[at] = t;
    this.length++;
  }
}
