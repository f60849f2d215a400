/**
 * Reads ModelProto.metadata_props (field 14) from ONNX bytes, where exporters put feature
 * and class names (onnxruntime's JavaScript API does not expose them). Walks the top level of
 * the protobuf only, skipping every other field.
 */

function varint(b: Uint8Array, o: { p: number }): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (o.p >= b.length) throw new Error('truncated varint');
    const byte = b[o.p++];
    v += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) return v;
    mul *= 128;
  }
}

function fields(b: Uint8Array, each: (field: number, value: Uint8Array | number) => void): void {
  const o = { p: 0 };
  while (o.p < b.length) {
    const key = varint(b, o);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) each(field, varint(b, o));
    else if (wire === 1) o.p += 8;
    else if (wire === 5) o.p += 4;
    else if (wire === 2) {
      const len = varint(b, o);
      if (o.p + len > b.length) throw new Error('truncated field');
      each(field, b.subarray(o.p, o.p + len));
      o.p += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** The model's metadata_props as a record (empty when the bytes are not a readable model). */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const dec = new TextDecoder();
  try {
    fields(bytes, (f, v) => {
      if (f !== 14 || typeof v === 'number') return;
      let k = '';
      let val = '';
      fields(v, (ff, vv) => {
        if (typeof vv === 'number') return;
        if (ff === 1) k = dec.decode(vv);
        else if (ff === 2) val = dec.decode(vv);
      });
      out[k] = val;
    });
  } catch {
    return out;
  }
  return out;
}

/** A list stored in metadata as a JSON array or comma-separated. */
export function metadataList(v: string | undefined): string[] | undefined {
  if (v === undefined || v === '') return undefined;
  try {
    const j = JSON.parse(v) as unknown;
    if (Array.isArray(j)) return j.map(String);
  } catch {
    // not JSON: comma-separated
  }
  return v.split(',').map((s) => s.trim());
}
