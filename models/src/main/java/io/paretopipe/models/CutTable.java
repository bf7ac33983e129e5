package io.paretopipe.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.format.CutTableJson;
import java.util.ArrayList;
import java.util.List;

/**
 * The cut table of a model at a batch size: for every valid split, the tensor that crosses the link
 * and the head's cumulative work. Its JSON form ({@link #toJson()}) is a stable interface,
 * documented in {@code docs/CLI.md}, its keys are {@link CutTableJson}'s.
 *
 * @param model model name
 * @param params total trainable parameters of the whole model
 * @param input per-image input {C, H, W}
 * @param batch images per request
 * @param cuts one entry per split {@code 0..n}
 */
public record CutTable(String model, long params, int[] input, int batch, List<Cut> cuts) {

  /** Builds the table of a definition for {@code batch} images per request. */
  public static CutTable of(ModelDefinition model, int batch) {
    return of(
        model.name(), model.options(), model.prefix().isPresent(), CostWalker.costs(model), batch);
  }

  /**
   * Builds the table from a model's static costs (prefix if {@code prefix}, units, suffix) for
   * {@code batch} images per request.
   */
  static CutTable of(
      String name, ModelOptions options, boolean prefix, List<UnitCost> costs, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " (expected: >= 1)");
    }
    long params = costs.stream().mapToLong(UnitCost::params).sum();
    int[] in = options.input();
    long[] shape = {in[0], in[1], in[2]};
    String unit = CutTableJson.INPUT_UNIT;
    long macs = 0;
    int first = 0;
    if (prefix) {
      UnitCost prefixCost = costs.get(0);
      shape = prefixCost.outputShape();
      unit = CutTableJson.PREFIX_UNIT;
      macs = prefixCost.macs();
      first = 1;
    }
    List<Cut> cuts = new ArrayList<>();
    cuts.add(new Cut(0, unit, shape, bytes(shape, batch), macs * batch));
    int units = costs.size() - first - 1;
    for (int k = 1; k <= units; k++) {
      UnitCost c = costs.get(first + k - 1);
      macs += c.macs();
      cuts.add(new Cut(k, c.name(), c.outputShape(), bytes(c.outputShape(), batch), macs * batch));
    }
    return new CutTable(name, params, in.clone(), batch, List.copyOf(cuts));
  }

  private static long bytes(long[] shape, int batch) {
    long n = 4L * batch;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * The documented JSON form: {@code model, params, input, batch, cuts[{split, unit, shape, bytes,
   * macs}]}.
   */
  public ObjectNode toJson() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put(CutTableJson.MODEL, model);
    root.put(CutTableJson.PARAMS, params);
    ArrayNode inputNode = root.putArray(CutTableJson.INPUT);
    for (int d : input) {
      inputNode.add(d);
    }
    root.put(CutTableJson.BATCH, batch);
    ArrayNode cutsNode = root.putArray(CutTableJson.CUTS);
    for (Cut c : cuts) {
      ObjectNode node = cutsNode.addObject();
      node.put(CutTableJson.SPLIT, c.split());
      node.put(CutTableJson.UNIT, c.unit());
      ArrayNode s = node.putArray(CutTableJson.SHAPE);
      for (long d : c.shape()) {
        s.add(d);
      }
      node.put(CutTableJson.BYTES, c.bytes());
      node.put(CutTableJson.MACS, c.macs());
    }
    return root;
  }
}
