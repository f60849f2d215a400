/**
 * AfterImage, Kitsune's feature extractor (Mirsky et al., NDSS 2018, section IV-B): damped
 * incremental statistics of packet sizes and inter-arrival times, kept per stream and decayed
 * by 2^(-λ·Δt) for five decay rates, so each statistic summarises the recent past at several
 * time scales without a window. Four kinds of stream, 100 features per packet (the paper's):
 *
 * - MI (source MAC + IP): weight, mean, variance of the frame size            3 × 5 = 15
 * - HH (source IP → destination IP): weight, mean, std of the size, and with the
 *   reverse direction magnitude, radius, approximate covariance, correlation    7 × 5 = 35
 * - HH jitter (source IP → destination IP): weight, mean, variance of the gap    3 × 5 = 15
 * - HpHp (source IP:port → destination IP:port): as HH                        7 × 5 = 35
 *
 * The update rules follow the authors' AfterImage code: weights start at 1e-20, the two
 * directions of a pair share one clock, the residual product of the covariance uses the
 * residual of the other direction's last packet. State lives in {@link StreamTable}s
 * (bounded, typed arrays): nothing is allocated per packet.
 */
import { Layer } from '../../packet/layers/constants.js';
import type { Packet } from '../../packet/packet.js';
import { KEY_WORDS, StreamTable } from './stream-table.js';

/** The paper's decay rates (1/s), from the fastest to the slowest. */
export const LAMBDAS: readonly number[] = [5, 3, 1, 0.1, 0.01];
// (`factors` below is written for exactly these rates)
export const FEATURE_COUNT = 100;
const NL = 5;
const TINY = 1e-20;
// Local copies: when tsx loads these files as CommonJS, an imported binding is a getter call
// on every read (profiled).
const L_ARP: number = Layer.ARP;
const L_TCP_UDP: number = Layer.TCP | Layer.UDP;

const MI_BASE = 0;
const HH_BASE = 15;
const JIT_BASE = 50;
const HP_BASE = 65;

// MI stream: [lastT, (w, cf1, cf2) per λ]
const MI_WIDTH = 1 + 3 * NL;
// pair streams: [lastT, size stats dir 0, size stats dir 1, ...]
const SZ0 = 1;
const SZ1 = 1 + 3 * NL;
// HH only: jitter stats per direction, their clocks and "started" flags
const JT0 = 1 + 6 * NL;
const JT1 = JT0 + 3 * NL;
const LASTJ = JT1 + 3 * NL;
const JINIT = LASTJ + 2;
const HH_CV = JINIT + 2;
const HH_WIDTH = HH_CV + 4 * NL;
const HP_CV = 1 + 6 * NL;
const HP_WIDTH = HP_CV + 4 * NL;

/** Names of the 100 features, in vector order (Kitsune's dataset column names). */
export const FEATURE_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  const lam = LAMBDAS.map((l) => `L${l}`);
  for (const l of lam) names.push(`MI_dir_${l}_weight`, `MI_dir_${l}_mean`, `MI_dir_${l}_variance`);
  const pair = ['weight', 'mean', 'std', 'magnitude', 'radius', 'covariance', 'pcc'];
  for (const l of lam) for (const p of pair) names.push(`HH_${l}_${p}`);
  for (const l of lam) names.push(`HH_jit_${l}_weight`, `HH_jit_${l}_mean`, `HH_jit_${l}_variance`);
  for (const l of lam) for (const p of pair) names.push(`HpHp_${l}_${p}`);
  return names;
})();

export interface AfterImageOptions {
  /** Most MI streams kept (default 8192). */
  maxHosts?: number;
  /** Most host pairs kept (default 65536). */
  maxHostPairs?: number;
  /** Most socket pairs kept (default 262144). */
  maxSocketPairs?: number;
}

/**
 * One value into the 1-D damped statistics (weight, linear sum, squared sum) of every decay
 * rate, stored as NL triples from `o`: decays them by `f` (null: no time passed), adds `v`, and
 * writes weight, mean and variance per rate to `out` from `r`.
 */
function damped1D(
  D: Float64Array,
  o: number,
  f: Float64Array | null,
  v: number,
  out: Float64Array,
  r: number,
): void {
  for (let i = 0; i < NL; i++, o += 3, r += 3) {
    let w = D[o];
    let c1 = D[o + 1];
    let c2 = D[o + 2];
    if (f !== null) {
      const k = f[i];
      w *= k;
      c1 *= k;
      c2 *= k;
    }
    w += 1;
    c1 += v;
    c2 += v * v;
    D[o] = w;
    D[o + 1] = c1;
    D[o + 2] = c2;
    const mean = c1 / w;
    out[r] = w;
    out[r + 1] = mean;
    out[r + 2] = Math.abs(c2 / w - mean * mean);
  }
}

export class AfterImage {
  readonly mi: StreamTable;
  readonly hh: StreamTable;
  readonly hp: StreamTable;
  private readonly key = new Uint32Array(KEY_WORDS);
  private readonly src = new Uint32Array(4);
  private readonly dst = new Uint32Array(4);
  private readonly fac = new Float64Array(NL);
  /** The Δt that `fac` holds the factors of. */
  private facDt = Number.NaN;
  private baseSec = Number.NaN;

  constructor(opts: AfterImageOptions = {}) {
    this.mi = new StreamTable(opts.maxHosts ?? 8192, MI_WIDTH);
    this.hh = new StreamTable(opts.maxHostPairs ?? 65536, HH_WIDTH);
    this.hp = new StreamTable(opts.maxSocketPairs ?? 262144, HP_WIDTH);
  }

  /** Forgets every stream and the time base (a new capture starts). */
  reset(): void {
    this.mi.clear();
    this.hh.clear();
    this.hp.clear();
    this.baseSec = Number.NaN;
  }

  /**
   * Updates the streams of `pkt` and writes its 100 features into `out`. Returns false (and
   * leaves `out` alone) for a frame with neither IP addresses, ARP addresses nor MACs.
   */
  update(pkt: Packet, out: Float64Array): boolean {
    const src = this.src;
    const dst = this.dst;
    let sp = 0;
    let dp = 0;
    if (pkt.ipVersion === 4) {
      v4Mapped(src, pkt.src4);
      v4Mapped(dst, pkt.dst4);
    } else if (pkt.ipVersion === 6) {
      src.set(pkt.src6);
      dst.set(pkt.dst6);
    } else if ((pkt.layers & L_ARP) !== 0 && pkt.arpIpv4) {
      v4Mapped(src, pkt.arpSenderIp);
      v4Mapped(dst, pkt.arpTargetIp);
      sp = 0x20000;
      dp = 0x20000;
    } else if (pkt.macSrcOffset >= 0 && pkt.macDstOffset >= 0) {
      macWords(pkt.buf, pkt.macSrcOffset, src);
      macWords(pkt.buf, pkt.macDstOffset, dst);
      sp = 0x30000 | pkt.etherType;
      dp = sp;
    } else {
      return false;
    }
    if (pkt.ipVersion !== 0) {
      if ((pkt.layers & L_TCP_UDP) !== 0) {
        sp = pkt.srcPort;
        dp = pkt.dstPort;
      } else {
        sp = 0x10000 | pkt.ipProto;
        dp = sp;
      }
    }
    if (Number.isNaN(this.baseSec)) this.baseSec = pkt.tsSec;
    const t = pkt.tsSec - this.baseSec + pkt.tsNsec * 1e-9;
    const v = pkt.origLen;

    // MI: source MAC + source IP
    const key = this.key;
    key.fill(0);
    if (pkt.macSrcOffset >= 0) {
      const b = pkt.buf;
      const o = pkt.macSrcOffset;
      key[0] = (b[o] << 8) | b[o + 1];
      key[1] = ((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0;
    }
    key[2] = src[0];
    key[3] = src[1];
    key[4] = src[2];
    key[5] = src[3];
    this.updateMi(key, t, v, out);

    // HH and its jitter: the pair in address order, d = 0 when the source is the lower one
    const d0 = compare(src, dst, 0, 0) <= 0 ? 0 : 1;
    putPair(key, d0 === 0 ? src : dst, d0 === 0 ? dst : src, 0, 0);
    this.updatePair(this.hh, key, t, v, d0, HH_CV, out, HH_BASE, true);
    // HpHp: the socket pair in (address, port) order
    const d1 = compare(src, dst, sp, dp) <= 0 ? 0 : 1;
    putPair(key, d1 === 0 ? src : dst, d1 === 0 ? dst : src, d1 === 0 ? sp : dp, d1 === 0 ? dp : sp);
    this.updatePair(this.hp, key, t, v, d1, HP_CV, out, HP_BASE, false);
    return true;
  }

  /**
   * 2^(-λ·Δt) for every λ into `fac`: three exponentials, the factors of λ = 3 and 5 being
   * powers of the factor of λ = 1; reused when Δt is the previous call's.
   */
  private factors(dt: number): Float64Array {
    const f = this.fac;
    // the streams of one packet often share their clock (a host pair with one socket pair
    // active, a host talking to one peer): the same Δt, the same factors
    if (dt === this.facDt) return f;
    this.facDt = dt;
    const e1 = Math.exp(-Math.LN2 * dt);
    const e2 = e1 * e1;
    f[0] = e2 * e2 * e1;
    f[1] = e2 * e1;
    f[2] = e1;
    f[3] = Math.exp(-0.1 * Math.LN2 * dt);
    f[4] = Math.exp(-0.01 * Math.LN2 * dt);
    return f;
  }

  private updateMi(key: Uint32Array, t: number, v: number, out: Float64Array): void {
    const tab = this.mi;
    const s = tab.find(key, t);
    const D = tab.data;
    const b = s * MI_WIDTH;
    if (tab.created) {
      D[b] = t;
      for (let i = 0; i < NL; i++) D[b + 1 + 3 * i] = TINY;
    }
    const dt = t - D[b];
    const f = dt > 0 ? this.factors(dt) : null;
    if (dt > 0) D[b] = t;
    damped1D(D, b + 1, f, v, out, MI_BASE);
  }

  private updatePair(
    tab: StreamTable,
    key: Uint32Array,
    t: number,
    v: number,
    d: number,
    cv: number,
    out: Float64Array,
    outBase: number,
    jitter: boolean,
  ): void {
    const s = tab.find(key, t);
    const D = tab.data;
    const b = s * tab.width;
    if (tab.created) {
      D[b] = t;
      for (let i = 0; i < NL; i++) {
        D[b + SZ0 + 3 * i] = TINY;
        D[b + SZ1 + 3 * i] = TINY;
        D[b + cv + 4 * i + 1] = TINY;
      }
    }
    const dt = t - D[b];
    const f = dt > 0 ? this.factors(dt) : null;
    if (dt > 0) D[b] = t;
    const me = b + (d === 0 ? SZ0 : SZ1);
    const other = b + (d === 0 ? SZ1 : SZ0);
    for (let i = 0; i < NL; i++) {
      const o = me + 3 * i;
      const p = other + 3 * i;
      const c = b + cv + 4 * i;
      let w = D[o];
      let c1 = D[o + 1];
      let c2 = D[o + 2];
      let wo = D[p];
      let o1 = D[p + 1];
      let o2 = D[p + 2];
      let cf3 = D[c];
      let w3 = D[c + 1];
      let res = D[c + 2 + d];
      if (f !== null) {
        const k = f[i];
        w *= k;
        c1 *= k;
        c2 *= k;
        wo *= k;
        o1 *= k;
        o2 *= k;
        cf3 *= k;
        w3 *= k;
        res *= k;
      }
      w += 1;
      c1 += v;
      c2 += v * v;
      const mean = c1 / w;
      const vr = Math.abs(c2 / w - mean * mean);
      const meanO = o1 / wo;
      const vrO = Math.abs(o2 / wo - meanO * meanO);
      res = v - mean;
      cf3 += res * D[c + 3 - d];
      w3 += 1;
      D[o] = w;
      D[o + 1] = c1;
      D[o + 2] = c2;
      D[p] = wo;
      D[p + 1] = o1;
      D[p + 2] = o2;
      D[c] = cf3;
      D[c + 1] = w3;
      D[c + 2 + d] = res;
      const std = Math.sqrt(vr);
      const stdO = Math.sqrt(vrO);
      const cov = cf3 / w3;
      const r = outBase + 7 * i;
      out[r] = w;
      out[r + 1] = mean;
      out[r + 2] = std;
      out[r + 3] = Math.sqrt(mean * mean + meanO * meanO);
      out[r + 4] = Math.sqrt(vr * vr + vrO * vrO);
      out[r + 5] = cov;
      out[r + 6] = std * stdO > 0 ? cov / (std * stdO) : 0;
    }
    if (jitter) this.updateJitter(D, b, t, d, out);
  }

  /** HH jitter: the gap since this direction's previous packet, as a damped 1D stream. */
  private updateJitter(D: Float64Array, b: number, t: number, d: number, out: Float64Array): void {
    const j = b + (d === 0 ? JT0 : JT1);
    let gap = 0;
    if (D[b + JINIT + d] === 0) {
      D[b + JINIT + d] = 1;
      D[b + LASTJ + d] = t;
      for (let i = 0; i < NL; i++) D[j + 3 * i] = TINY;
    } else {
      const dt = t - D[b + LASTJ + d];
      if (dt > 0) {
        gap = dt;
        D[b + LASTJ + d] = t;
      }
    }
    const f = gap > 0 ? this.factors(gap) : null;
    damped1D(D, j, f, gap, out, JIT_BASE);
  }
}

function macWords(b: Uint8Array, o: number, w: Uint32Array): void {
  w[0] = 0;
  w[1] = 0;
  // a marker above any IPv4-mapped word keeps MAC "addresses" apart from IP ones
  w[2] = 0x10000 | (b[o] << 8) | b[o + 1];
  w[3] = ((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0;
}

/** Orders (a, pa) against (b, pb): negative when a side is lower. */
function compare(a: Uint32Array, b: Uint32Array, pa: number, pb: number): number {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return pa - pb;
}

function putPair(key: Uint32Array, a: Uint32Array, b: Uint32Array, pa: number, pb: number): void {
  key[0] = a[0];
  key[1] = a[1];
  key[2] = a[2];
  key[3] = a[3];
  key[4] = b[0];
  key[5] = b[1];
  key[6] = b[2];
  key[7] = b[3];
  key[8] = pa;
  key[9] = pb;
}

/** An IPv4 address as the four words of its IPv4-mapped IPv6 form (::ffff:a.b.c.d). */
function v4Mapped(w: Uint32Array, addr: number): void {
  w[0] = 0;
  w[1] = 0;
  w[2] = 0xffff;
  w[3] = addr;
}
