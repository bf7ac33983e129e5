package io.paretopipe.format;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The layout of a run folder, as the sweep writes it and the reports read it ({@code
 * docs/BENCHMARKS.md}):
 *
 * <pre>
 * RUN/
 *   run-metadata.json             {@link #METADATA_FILE}: what the run ran on and with
 *   jmh/*.json                    {@link #JMH}: JMH JSON results, one file per point
 *   jmh/unit-profile-MODEL.json   {@link #unitProfileFileName}: per-unit compute times
 *   hlog/*.hlog                   {@link #HLOG}: histogram logs, named by {@link HlogFileName}
 *   cuts/MODEL.json               {@link #CUTS}, {@link #cutTableFileName}: the model's cut table ({@link CutTableJson})
 *   report/                       {@link #REPORT}: the reports post-processor's output
 * </pre>
 *
 * A model name becomes one file name by URL-encoding it (UTF-8), so a model given as a directory
 * path is one file name: {@code resnet18.json}, {@code %2Fdata%2Fmy-net.json}. Stateless.
 */
public final class RunFolder {
  /** The run's metadata file. */
  public static final String METADATA_FILE = "run-metadata.json";

  /** The value of the metadata file's {@code format} key. */
  public static final String METADATA_FORMAT = "paretopipe-run-metadata";

  /** The value of the metadata file's {@code version} key. */
  public static final int METADATA_VERSION = 1;

  /** The folder of JMH JSON results. */
  public static final String JMH = "jmh";

  /** The folder of HdrHistogram logs. */
  public static final String HLOG = "hlog";

  /** The folder of cut tables. */
  public static final String CUTS = "cuts";

  /** The folder of the report. */
  public static final String REPORT = "report";

  /** What every unit-profile result file name in {@link #JMH} starts with. */
  public static final String UNIT_PROFILE_PREFIX = "unit-profile-";

  private RunFolder() {}

  /** The file name of {@code model}'s cut table in {@link #CUTS}, e.g. {@code resnet18.json}. */
  public static String cutTableFileName(String model) {
    return encode(model) + ".json";
  }

  /**
   * The file name of {@code model}'s unit profile in {@link #JMH}, e.g. {@code
   * unit-profile-resnet18.json}.
   */
  public static String unitProfileFileName(String model) {
    return UNIT_PROFILE_PREFIX + encode(model) + ".json";
  }

  /** {@code text} URL-encoded (UTF-8), as model names and point names are in file names. */
  public static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
