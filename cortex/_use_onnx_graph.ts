/**
 * Rewrites Universal Sentence Encoder lite, shipped as a TF.js graph, as an ONNX graph of the same
 * computation, so that ONNX Runtime (native kernels on every core) can run it instead of TF.js.
 *
 * The TF.js graph (317 nodes) feeds a sparse [N, 2] batch through scatter/gather plumbing so that the
 * feed-forward layers see only real tokens. Read off that graph, the computation is this (`x` is one
 * text's tokens, positions t = 0..T-1, widths in brackets):
 *
 * 1. `h = 2 * E[id] + timing(t)` [256]. E is the 8002 x 256 piece table; the graph adds the embedding
 *    twice (once scattered, once inside its timing-signal block); `timing(t)` is
 *    `[sin(t * inv), cos(t * inv)]` with the graph's own 128 inverse timescales (Vaswani et al. 2017,
 *    section 3.5).
 * 2. Layer 0: `a = h W_r + b_r` [512] (the residual widened by a dense layer), then
 *    `y = a + MHA(LN(h))` with 4 heads of 64 and an output projection 256 -> 512; then
 *    `y = y + FFN(LN(y))`, FFN = ReLU(x W1 + b1) W2 + b2, 512 -> 1536 -> 512.
 * 3. Layer 1: `y = y + MHA(LN(y))` with 4 heads of 128, then `y = y + FFN(LN(y))`.
 * 4. Mean of y over the text's tokens, `tanh(m W + b)` [512], unit norm.
 *
 * MHA is softmax(q k^T / sqrt(d) + bias) v per head, where the bias is -1e9 on padded keys. LN is layer
 * norm with epsilon 1e-6 (Ba et al. 2016). A padded position never reaches a real one: every op but
 * attention is per position and attention masks padded keys; the mean counts real tokens only.
 *
 * The ONNX graph (opset 17, for LayerNormalization) takes `ids` (int64 [B, T], any id on padding),
 * `mask` (float32 [B, T], 1 on real tokens) and `positions` (int64 [T], 0..T-1), and gives `embedding`
 * (float32 [B, 512], before the unit-norm scaling, which the caller does). The doubling of E is folded
 * into the table (exact in float32). Checked against TF.js in `use_onnx_embedder_test.ts`.
 *
 * Dimension legend: B texts, T tokens of the longest, D = 512, H heads, dh head width.
 *
 * @module
 */
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

/** Longest input the timing table covers; the TF.js graph drops tokens past 128 itself. */
export const USE_MAX_TOKENS = 128;
const LN_EPS = 1e-6;
const MASK_BIAS = -1e9;
const HEADS = 4;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** A weight of the TF.js model: its shape and float32 values. */
export interface UseWeight {
  shape: number[];
  data: Float32Array;
}

/**
 * Builds the ONNX model of USE lite from its TF.js weights.
 *
 * @param weights Every float32 weight of the TF.js model, by its TF.js name.
 * @returns A serialized ONNX ModelProto (about 28 MB: the weights are copied in).
 * @throws {RangeError} If a weight the graph needs is missing, ambiguous or has another shape.
 */
export function buildUseOnnx(weights: ReadonlyMap<string, UseWeight>): Uint8Array {
  const g = new GraphBuilder(weights);

  // Embedding plus timing signal: h = 2 E[ids] + timing[positions], [B, T, 256].
  const table = g.find([8002, 256], "module/Embeddings_en");
  const doubled = new Float32Array(table.data.length);
  for (let i = 0; i < doubled.length; i++) doubled[i] = 2 * table.data[i]!;
  g.init("embeddings_x2", [8002, 256], doubled);
  g.init("timing", [USE_MAX_TOKENS, 256], timingTable(g.find([1, 128], "AddTimingSignal/TimingSignal").data));
  const h = g.op("Add", [g.op("Gather", ["embeddings_x2", "ids"]), g.op("Gather", ["timing", "positions"])]);

  // Attention bias [B, 1, 1, T]: 0 on real keys, -1e9 on padding.
  g.init("one", [], Float32Array.of(1));
  g.init("mask_bias", [], Float32Array.of(MASK_BIAS));
  g.ints("axes_1_2", [1, 2]);
  const bias = g.op("Unsqueeze", [g.op("Mul", [g.op("Sub", ["one", "mask"]), "mask_bias"]), "axes_1_2"]);

  // Layer 0: the residual is widened 256 -> 512 by a dense layer.
  const widened = g.linear(h, "Layer_0/TransformerLayer/dense", 256, 512);
  let y = g.op("Add", [widened, g.attention(h, "Layer_0", 256, 512, bias)]);
  y = g.op("Add", [y, g.ffn(y, "Layer_0")]);
  // Layer 1.
  y = g.op("Add", [y, g.attention(y, "Layer_1", 512, 512, bias)]);
  y = g.op("Add", [y, g.ffn(y, "Layer_1")]);

  // Mean over real tokens: sum(y * mask) / max(sum(mask), 1), then the tanh layer.
  g.ints("axis_2", [2]);
  g.ints("axis_1", [1]);
  const m3 = g.op("Unsqueeze", ["mask", "axis_2"]);
  const sum = g.op("ReduceSum", [g.op("Mul", [y, m3]), "axis_1"], [g.intAttr("keepdims", 0)]);
  const count = g.op("Max", [g.op("ReduceSum", ["mask", "axis_1"], [g.intAttr("keepdims", 1)]), "one"]);
  const mean = g.op("Div", [sum, count]);
  const tanhW = g.find([512, 512], "hidden_layers/tanh_layer_0/weights");
  const tanhB = g.find([512], "hidden_layers/tanh_layer_0/bias");
  g.init("tanh_w", [512, 512], tanhW.data);
  g.init("tanh_b", [512], tanhB.data);
  g.op("Tanh", [g.op("Add", [g.op("MatMul", [mean, "tanh_w"]), "tanh_b"])], [], "embedding");

  return g.encode();
}

/** `[sin(t * inv), cos(t * inv)]` for t = 0..127, as the TF.js graph computes it in float32. */
function timingTable(inv: Float32Array): Float32Array {
  const half = inv.length;
  const out = new Float32Array(USE_MAX_TOKENS * 2 * half);
  for (let t = 0; t < USE_MAX_TOKENS; t++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(t * inv[i]!);
      out[t * 2 * half + i] = Math.sin(angle);
      out[t * 2 * half + half + i] = Math.cos(angle);
    }
  }
  return out;
}

/** Collects nodes and initializers, naming intermediate values n0, n1, ... */
class GraphBuilder {
  readonly #weights: ReadonlyMap<string, UseWeight>;
  readonly #nodes: INodeProto[] = [];
  readonly #inits: ITensorProto[] = [];
  #next = 0;

  constructor(weights: ReadonlyMap<string, UseWeight>) {
    this.#weights = weights;
  }

  /**
   * The one weight whose name contains every part and whose shape is `shape`.
   *
   * @throws {RangeError} If none or several match.
   */
  find(shape: number[], ...parts: string[]): UseWeight {
    const hits = [...this.#weights.entries()].filter(([name, w]) =>
      parts.every((p) => name.includes(p)) && w.shape.length === shape.length &&
      w.shape.every((d, i) => d === shape[i])
    );
    if (hits.length !== 1) {
      throw new RangeError(
        `Cannot build the USE lite graph: ${hits.length} weights of shape [${shape}] match "${
          parts.join('" and "')
        }"; the model files are not USE lite`,
      );
    }
    return hits[0]![1];
  }

  init(name: string, dims: number[], data: Float32Array): void {
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.#inits.push({ name, dims, dataType: FLOAT, rawData: raw });
  }

  ints(name: string, values: number[]): void {
    const raw = new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
    this.#inits.push({ name, dims: [values.length], dataType: INT64, rawData: raw });
  }

  intAttr(name: string, i: number): IAttributeProto {
    return { name, type: onnx.AttributeProto.AttributeType.INT, i };
  }

  op(opType: string, input: string[], attribute: IAttributeProto[] = [], output?: string): string {
    const out = output ?? `n${this.#next++}`;
    this.#nodes.push({ opType, input, output: [out], attribute, name: out });
    return out;
  }

  /** `x W + b` for the dense layer whose names contain `scope`. */
  linear(x: string, scope: string, inW: number, outW: number): string {
    const w = this.find([inW, outW], scope, "kernel");
    const b = this.find([outW], scope, "bias");
    const name = scope.replaceAll("/", "_");
    this.init(`${name}_w`, [inW, outW], w.data);
    this.init(`${name}_b`, [outW], b.data);
    return this.op("Add", [this.op("MatMul", [x, `${name}_w`]), `${name}_b`]);
  }

  /** Layer norm over the last axis with the scale and bias whose names contain `scope`. */
  layerNorm(x: string, scope: string, width: number): string {
    const gamma = this.find([width], scope, "layer_norm_scale");
    const beta = this.find([width], scope, "layer_norm_bias");
    const name = scope.replaceAll("/", "_");
    this.init(`${name}_gamma`, [width], gamma.data);
    this.init(`${name}_beta`, [width], beta.data);
    return this.op("LayerNormalization", [x, `${name}_gamma`, `${name}_beta`], [
      this.intAttr("axis", -1),
      { name: "epsilon", type: onnx.AttributeProto.AttributeType.FLOAT, f: LN_EPS },
    ]);
  }

  /** MHA(LN(x)) of one layer: [B, T, inW] to [B, T, outW]. */
  attention(x: string, layer: string, inW: number, outW: number, bias: string): string {
    const scope = `${layer}/TransformerLayer/`;
    const normed = this.layerNorm(x, `Encode/${scope}layer_prepostprocess`, inW);
    const dh = inW / HEADS;
    const qkvW = this.find([1, 1, inW, 3 * inW], `${scope}MultiheadAttention/qkv_transform_single/kernel`);
    const qkvB = this.find([3 * inW], `${scope}MultiheadAttention/qkv_transform_single/bias`);
    const outKW = this.find([1, 1, inW, outW], `${scope}MultiheadAttention/output_transform_single/kernel`);
    const outKB = this.find([outW], `${scope}MultiheadAttention/output_transform_single/bias`);
    const p = layer.toLowerCase();
    this.init(`${p}_qkv_w`, [inW, 3 * inW], qkvW.data);
    this.init(`${p}_qkv_b`, [3 * inW], qkvB.data);
    this.init(`${p}_out_w`, [inW, outW], outKW.data);
    this.init(`${p}_out_b`, [outW], outKB.data);
    this.ints(`${p}_split`, [inW, inW, inW]);
    this.ints(`${p}_heads_shape`, [0, 0, HEADS, dh]);
    this.ints(`${p}_merge_shape`, [0, 0, inW]);
    this.init(`${p}_scale`, [], Float32Array.of(1 / Math.sqrt(dh)));

    const qkv = this.op("Add", [this.op("MatMul", [normed, `${p}_qkv_w`]), `${p}_qkv_b`]);
    const [q, k, v] = [0, 1, 2].map((i) => `${p}_qkv_${i}`);
    this.#nodes.push({
      opType: "Split",
      input: [qkv, `${p}_split`],
      output: [q!, k!, v!],
      attribute: [this.intAttr("axis", -1)],
      name: `${p}_split_node`,
    });
    const heads = (t: string, perm: number[]) =>
      this.op("Transpose", [this.op("Reshape", [t, `${p}_heads_shape`])], [{
        name: "perm",
        type: onnx.AttributeProto.AttributeType.INTS,
        ints: perm,
      }]);
    const qh = this.op("Mul", [heads(q!, [0, 2, 1, 3]), `${p}_scale`]); // [B, H, T, dh]
    const kt = heads(k!, [0, 2, 3, 1]); // [B, H, dh, T]
    const vh = heads(v!, [0, 2, 1, 3]);
    const logits = this.op("Add", [this.op("MatMul", [qh, kt]), bias]); // [B, H, T, T]
    const ctx = this.op("MatMul", [this.op("Softmax", [logits], [this.intAttr("axis", -1)]), vh]);
    const merged = this.op("Reshape", [
      this.op("Transpose", [ctx], [{
        name: "perm",
        type: onnx.AttributeProto.AttributeType.INTS,
        ints: [0, 2, 1, 3],
      }]),
      `${p}_merge_shape`,
    ]);
    return this.op("Add", [this.op("MatMul", [merged, `${p}_out_w`]), `${p}_out_b`]);
  }

  /** FFN(LN(x)) of one layer, [B, T, 512] to [B, T, 512]. */
  ffn(x: string, layer: string): string {
    const normed = this.layerNorm(x, `Encode/${layer}/TransformerLayer/FFN/layer_prepostprocess`, 512);
    const p = `${layer.toLowerCase()}_ffn`;
    this.init(`${p}_w1`, [512, 1536], this.find([512, 1536], `${layer}/TransformerLayer/FFN/conv1`).data);
    this.init(`${p}_b1`, [1536], this.find([1536], `${layer}/TransformerLayer/FFN/conv1/bias`).data);
    this.init(`${p}_w2`, [1536, 512], this.find([1536, 512], `${layer}/TransformerLayer/FFN/conv2`).data);
    this.init(`${p}_b2`, [512], this.find([512], `${layer}/TransformerLayer/FFN/conv2/bias`).data);
    const hidden = this.op("Relu", [this.op("Add", [this.op("MatMul", [normed, `${p}_w1`]), `${p}_b1`])]);
    return this.op("Add", [this.op("MatMul", [hidden, `${p}_w2`]), `${p}_b2`]);
  }

  encode(): Uint8Array {
    const tensor = (name: string, elemType: number, dims: (string | number)[]) => ({
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: dims.map((d) => typeof d === "string" ? { dimParam: d } : { dimValue: d }) },
        },
      },
    });
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 17 }],
      producerName: "t4dm cortex/_use_onnx_graph.ts",
      graph: {
        name: "use_lite",
        node: this.#nodes,
        initializer: this.#inits,
        input: [
          tensor("ids", INT64, ["B", "T"]),
          tensor("mask", FLOAT, ["B", "T"]),
          tensor("positions", INT64, ["T"]),
        ],
        output: [tensor("embedding", FLOAT, ["B", 512])],
      },
    }).finish();
  }
}
