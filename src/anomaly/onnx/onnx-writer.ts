/**
 * A minimal ONNX writer: the protobuf wire format for the handful of ModelProto fields a small
 * model needs (graph, nodes with int/float/ints attributes, float initializers, typed inputs
 * and outputs, metadata). Enough to export a logistic regression or a small MLP trained
 * elsewhere, and to let the tests build their own classifier. Field numbers are those of
 * onnx/onnx.proto (IR version 8).
 */

class ProtoWriter {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }

  private varint(v: number | bigint): void {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) byte |= 0x80;
      out.push(byte);
    } while (n !== 0n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: ProtoWriter): this {
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1, INT64: 7 } as const;

export interface OnnxValueInfo {
  name: string;
  /** Default FLOAT. */
  elemType?: number;
  /** A number, or a name for a symbolic dimension (e.g. 'N'). */
  shape: (number | string)[];
}

export type OnnxAttribute = number | number[] | { float: number } | string;

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** Integers are written as INT, `{float}` as FLOAT, arrays as INTS, strings as STRING. */
  attributes?: Record<string, OnnxAttribute>;
}

export interface OnnxInitializer {
  name: string;
  dims: number[];
  /** FLOAT data. */
  values: ArrayLike<number>;
}

export interface OnnxModelSpec {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: OnnxNode[];
  initializers?: OnnxInitializer[];
  /** Default 13. */
  opset?: number;
  graphName?: string;
  producer?: string;
  /** ModelProto.metadata_props, e.g. `{feature_names: '["Flow Duration", ...]'}`. */
  metadata?: Record<string, string>;
}

function valueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensor = new ProtoWriter().int(1, v.elemType ?? OnnxType.FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensor);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function attribute(name: string, a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof a === 'number') return w.int(3, a).int(20, 2);
  if (typeof a === 'string') return w.bytes(4, new TextEncoder().encode(a)).int(20, 3);
  if (Array.isArray(a)) {
    for (const v of a) w.int(8, v);
    return w.int(20, 7);
  }
  return w.float(2, a.float).int(20, 1);
}

/** The bytes of an ONNX model file. */
export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const graph = new ProtoWriter();
  spec.nodes.forEach((n, i) => {
    const node = new ProtoWriter();
    for (const s of n.inputs) node.string(1, s);
    for (const s of n.outputs) node.string(2, s);
    node.string(3, n.name ?? `${n.op}_${i}`);
    node.string(4, n.op);
    for (const [k, v] of Object.entries(n.attributes ?? {})) node.message(5, attribute(k, v));
    graph.message(1, node);
  });
  graph.string(2, spec.graphName ?? 'sentra');
  for (const t of spec.initializers ?? []) {
    const raw = new Uint8Array(new Float32Array(Array.from(t.values)).buffer);
    const tensor = new ProtoWriter();
    for (const d of t.dims) tensor.int(1, d);
    tensor.int(2, OnnxType.FLOAT).string(8, t.name).bytes(9, raw);
    graph.message(5, tensor);
  }
  for (const v of spec.inputs) graph.message(11, valueInfo(v));
  for (const v of spec.outputs) graph.message(12, valueInfo(v));
  const model = new ProtoWriter()
    .int(1, 8)
    .string(2, spec.producer ?? 'sentra')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, spec.opset ?? 13));
  for (const [k, v] of Object.entries(spec.metadata ?? {})) {
    model.message(14, new ProtoWriter().string(1, k).string(2, v));
  }
  return model.finish();
}
