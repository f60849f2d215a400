/**
 * KitNET's feature mapper (the authors' `corClust`): running sums of the features' residuals
 * give the correlation distance 1 - ρ (clipped at 0, as the authors compute it); single linkage
 * clusters the features, and the dendrogram is cut top-down into groups of at most
 * `maxSize` features, one autoencoder each.
 */

export class CorrelationClustering {
  readonly n: number;
  private count = 0;
  private readonly sum: Float64Array;
  private readonly sumSqRes: Float64Array;
  private readonly cross: Float64Array;
  private readonly res: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.sum = new Float64Array(n);
    this.sumSqRes = new Float64Array(n);
    this.cross = new Float64Array(n * n);
    this.res = new Float64Array(n);
  }

  /** Adds one feature vector. */
  update(x: Float64Array): void {
    const n = this.n;
    this.count++;
    const { sum, res, sumSqRes, cross } = this;
    for (let i = 0; i < n; i++) {
      sum[i] += x[i];
      const r = x[i] - sum[i] / this.count;
      res[i] = r;
      sumSqRes[i] += r * r;
    }
    for (let i = 0; i < n; i++) {
      const ri = res[i];
      if (ri === 0) continue;
      const row = i * n;
      for (let j = i; j < n; j++) cross[row + j] += ri * res[j];
    }
  }

  /** The correlation distance of features i < j. */
  distance(i: number, j: number): number {
    const a = Math.min(i, j);
    const b = Math.max(i, j);
    let den = Math.sqrt(this.sumSqRes[a]) * Math.sqrt(this.sumSqRes[b]);
    if (den === 0) den = 1e-100;
    const d = 1 - this.cross[a * this.n + b] / den;
    return Math.max(d, 0);
  }

  /** Groups of feature indices, each at most `maxSize` long, covering every feature once. */
  cluster(maxSize: number): number[][] {
    const n = this.n;
    // single linkage, naive O(n^3): n is 100
    interface Node {
      leaves: number[];
      left: Node | null;
      right: Node | null;
    }
    const active: Node[] = [];
    for (let i = 0; i < n; i++) active.push({ leaves: [i], left: null, right: null });
    const D: number[][] = [];
    for (let i = 0; i < n; i++) {
      D.push([]);
      for (let j = 0; j < n; j++) D[i].push(i === j ? 0 : this.distance(i, j));
    }
    const alive = active.map(() => true);
    for (let step = 0; step < n - 1; step++) {
      let bi = -1;
      let bj = -1;
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < active.length; i++) {
        if (!alive[i]) continue;
        for (let j = i + 1; j < active.length; j++) {
          if (alive[j] && D[i][j] < best) {
            best = D[i][j];
            bi = i;
            bj = j;
          }
        }
      }
      const a = active[bi];
      const b = active[bj];
      const node: Node = { leaves: a.leaves.concat(b.leaves), left: a, right: b };
      alive[bi] = false;
      alive[bj] = false;
      const k = active.length;
      active.push(node);
      alive.push(true);
      const row: number[] = [];
      for (let i = 0; i < k; i++) {
        const d = Math.min(D[bi][i], D[bj][i]);
        row.push(d);
        D[i].push(d);
      }
      row.push(0);
      D.push(row);
    }
    const root = active[active.length - 1];
    const out: number[][] = [];
    const cut = (node: Node): void => {
      if (node.leaves.length <= maxSize || node.left === null || node.right === null) out.push(node.leaves);
      else {
        cut(node.left);
        cut(node.right);
      }
    };
    cut(root);
    return out;
  }
}
