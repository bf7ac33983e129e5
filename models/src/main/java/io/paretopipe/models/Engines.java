package io.paretopipe.models;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts DJL's PyTorch engine the way this project always runs it: offline (a missing native
 * library fails loudly instead of being downloaded) and with an explicit intra-op thread count.
 *
 * <p>glibc's default malloc returns PyTorch's large activation buffers to the kernel after every
 * forward and takes page faults to get them back (measured here: 2-3x slower). The {@link
 * #RECOMMENDED_ALLOCATOR_ENV} settings keep freed memory in the process; they must be in the
 * environment when the JVM starts, so every JVM this project launches for computing gets them, and
 * {@link #allocatorSettings()} records what a process actually ran with.
 */
public final class Engines {

  /** The malloc environment every computing JVM is started with. */
  public static final Map<String, String> RECOMMENDED_ALLOCATOR_ENV =
      Map.of(
          "MALLOC_MMAP_MAX_", "0",
          "MALLOC_TRIM_THRESHOLD_", "17179869184",
          "MALLOC_TOP_PAD_", "536870912");

  private Engines() {}

  /**
   * The PyTorch engine, started offline if not yet started. The first call also turns libtorch's
   * NNPACK path off if NNPACK cannot initialise on this CPU (see {@link Nnpack}): otherwise
   * libtorch logs a warning on every convolution.
   */
  public static synchronized Engine pytorch() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    Engine engine = Engine.getEngine("PyTorch");
    Nnpack.disableIfUnsupported();
    return engine;
  }

  /**
   * Sets PyTorch's intra-op thread count for this process (torch's setting is process-wide).
   *
   * @param threads >= 1
   */
  public static void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    pytorch();
    JniUtils.setNumThreads(threads);
  }

  /** PyTorch's current intra-op thread count. */
  public static int threads() {
    pytorch();
    return JniUtils.getNumThreads();
  }

  /**
   * The allocator-related environment of this process ({@code MALLOC_*}, {@code LD_PRELOAD}); "" if
   * unset.
   */
  public static Map<String, String> allocatorSettings() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String key :
        new String[] {
          "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "LD_PRELOAD"
        }) {
      String v = System.getenv(key);
      m.put(key, v == null ? "" : v);
    }
    return m;
  }

  /** Whether this process runs with {@link #RECOMMENDED_ALLOCATOR_ENV}. */
  public static boolean allocatorTuned() {
    return RECOMMENDED_ALLOCATOR_ENV.entrySet().stream()
        .allMatch(e -> e.getValue().equals(System.getenv(e.getKey())));
  }

  /** DJL and PyTorch versions, e.g. {@code DJL 0.36.0 / PyTorch 2.7.1}. */
  public static String versions() {
    Engine engine = pytorch();
    return "DJL " + Engine.getDjlVersion() + " / PyTorch " + engine.getVersion();
  }
}
