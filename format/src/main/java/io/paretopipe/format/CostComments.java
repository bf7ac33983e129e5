package io.paretopipe.format;

/**
 * The {@code #paretopipe.<key>=<value>} comments a {@code PartitionBenchmark} hlog carries about
 * the CPU time and energy of its measured window (docs/ENERGY.md): written by the benchmark, read
 * by the reports. One hlog is one trial (one pass of one method of one point), so each file's
 * figures are one replication unit. A figure that could not be had is the text {@value
 * #UNAVAILABLE}, never 0.
 *
 * <pre>
 * #paretopipe.cost_images=320                      images completed in the window
 * #paretopipe.cost_wall_s=24.8                     the window's length on the head's clock
 * #paretopipe.cpu_ms_per_image.head=71.9           CPU ms per image of the head's process/threads
 * #paretopipe.cpu_ms_per_image.stage1=6.7          of each remote stage (stage1, stage2, ...)
 * #paretopipe.cpu_ms_per_image.total=78.6          their sum
 * #paretopipe.energy_label=estimated               measured, imported, estimated or unavailable
 * #paretopipe.energy_tier=model                    the tier that gave it (rapl, perf, csv, model)
 * #paretopipe.energy_j_per_image=0.41              joules per image
 * #paretopipe.energy_j_per_image.head=0.24         per part (stages for the model tier)
 * #paretopipe.energy_reason=...                    why it is unavailable
 * #paretopipe.energy_link_label=estimated          the link's energy: estimated or unavailable
 * #paretopipe.energy_link_j_per_image=0.0077       joules per image moving tensors over the link
 * #paretopipe.energy_link_reason=...               why the link's energy is unavailable
 * </pre>
 *
 * The link's energy is apart from {@code energy_j_per_image}, never included in it.
 */
public final class CostComments {

  /** Images completed in the measured window. */
  public static final String IMAGES = "cost_images";

  /** The window's length in seconds on the head's monotonic clock. */
  public static final String WALL_SECONDS = "cost_wall_s";

  /** Prefix of the per-stage CPU figures; the stage name follows ({@code head}, {@code stage1}). */
  public static final String CPU_MS_PER_IMAGE = "cpu_ms_per_image.";

  /** The stage name of the sum over stages. */
  public static final String TOTAL = "total";

  /** The head's stage name. */
  public static final String HEAD = "head";

  /** {@code measured}, {@code imported}, {@code estimated} or {@code unavailable}. */
  public static final String ENERGY_LABEL = "energy_label";

  /** The tier: {@code rapl}, {@code perf}, {@code csv}, {@code model}, {@code auto}. */
  public static final String ENERGY_TIER = "energy_tier";

  /** Joules per image; {@code energy_j_per_image.<part>} per part. */
  public static final String ENERGY_J_PER_IMAGE = "energy_j_per_image";

  /** Why no energy figure could be had. */
  public static final String ENERGY_REASON = "energy_reason";

  /** {@code estimated} or {@code unavailable}: the link's energy (LinkEnergy in the harness). */
  public static final String ENERGY_LINK_LABEL = "energy_link_label";

  /**
   * Joules per image of moving the tensors over the link, apart from {@link #ENERGY_J_PER_IMAGE}.
   */
  public static final String ENERGY_LINK_J_PER_IMAGE = "energy_link_j_per_image";

  /** Why the link's energy is unavailable. */
  public static final String ENERGY_LINK_REASON = "energy_link_reason";

  /** The value of a figure that could not be had. */
  public static final String UNAVAILABLE = "unavailable";

  private CostComments() {}

  /**
   * @return the key of a stage's CPU ms per image, e.g. {@code cpu_ms_per_image.stage1}
   */
  public static String cpuKey(String stage) {
    return CPU_MS_PER_IMAGE + stage;
  }

  /**
   * @return the key of a part's joules per image, e.g. {@code energy_j_per_image.head}
   */
  public static String energyPartKey(String part) {
    return ENERGY_J_PER_IMAGE + "." + part;
  }
}
