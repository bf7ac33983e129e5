package io.paretopipe.format;

/**
 * The keys of a cut table's JSON form ({@code paretopipe.jar models cuts MODEL --json}, {@code
 * cuts/MODEL.json} of a run folder; documented in {@code docs/CLI.md}):
 *
 * <pre>
 * {"model": ..., "params": ..., "input": [C, H, W], "batch": ...,
 *  "cuts": [{"split": k, "unit": ..., "shape": [...], "bytes": ..., "macs": ...}, ...]}
 * </pre>
 *
 * Split 0's unit is {@link #PREFIX_UNIT} when the model has a prefix that always runs on the head,
 * {@link #INPUT_UNIT} otherwise.
 */
public final class CutTableJson {
  public static final String MODEL = "model";
  public static final String PARAMS = "params";
  public static final String INPUT = "input";
  public static final String BATCH = "batch";
  public static final String CUTS = "cuts";
  public static final String SPLIT = "split";
  public static final String UNIT = "unit";
  public static final String SHAPE = "shape";
  public static final String BYTES = "bytes";
  public static final String MACS = "macs";

  /** The unit of split 0 for a model with a prefix. */
  public static final String PREFIX_UNIT = "(prefix)";

  /** The unit of split 0 for a model without a prefix. */
  public static final String INPUT_UNIT = "(input)";

  private CutTableJson() {}
}
