package io.paretopipe.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code tail=shared} param of {@link PartitionBenchmark}: "the stage server a sweep shares
 * among every point of this transport". The param names the setup, not the socket, so the same
 * point has the same params in every run; where the server listens (an ephemeral port) reaches the
 * benchmark as system properties of its JVM (the sweep's own, or {@code -jvmArgsAppend} of each
 * fork), one set per transport:
 *
 * <pre>
 * -Dparetopipe.tail.shared.nio=127.0.0.1:34439             where it listens (required)
 * -Dparetopipe.tail.shared.nio.pid=19772                   its process id (optional, for the hlog comments)
 * -Dparetopipe.tail.shared.nio.cpuQuotaPercent=50          the CPU quota the sweep put it under (optional)
 * </pre>
 *
 * A {@code K1:K2} split reaches the same server for each remote stage. The servers are named by
 * {@link #key}: the transport, or {@code grpc@TUNING} for grpc points of another {@code grpcTuning}
 * than {@code default} (a sweep of several tunings runs one grpc server per tuning, e.g. {@code
 * -Dparetopipe.tail.shared.grpc@tuned=...}). Stateless; reads the properties at each call.
 */
public final class SharedTail {

  /** The {@code tail} param value. */
  public static final String VALUE = "shared";

  /** Prefix of the properties; the transport name follows. */
  public static final String PROPERTY_PREFIX = "paretopipe.tail.shared.";

  /** Separates the grpc tuning from the transport in a {@link #key}. */
  public static final String TUNING_SEPARATOR = "@";

  private SharedTail() {}

  /**
   * @param transport a transport name
   * @param grpcTuning the points' {@code grpcTuning}
   * @return {@code transport}, or {@code grpc@TUNING} for grpc with a tuning other than {@value
   *     PartitionConfig#DEFAULT_GRPC_TUNING}: the name of the shared server such points reach
   */
  public static String key(String transport, String grpcTuning) {
    return transport.equals("grpc") && !PartitionConfig.DEFAULT_GRPC_TUNING.equals(grpcTuning)
        ? transport + TUNING_SEPARATOR + grpcTuning
        : transport;
  }

  /** The transport of a {@link #key}: {@code grpc} of {@code grpc@tuned}. */
  public static String transportOf(String key) {
    int at = key.indexOf(TUNING_SEPARATOR);
    return at < 0 ? key : key.substring(0, at);
  }

  /** The grpc tuning of a {@link #key}: {@code tuned} of {@code grpc@tuned}, else the default. */
  public static String grpcTuningOf(String key) {
    int at = key.indexOf(TUNING_SEPARATOR);
    return at < 0 ? PartitionConfig.DEFAULT_GRPC_TUNING : key.substring(at + 1);
  }

  /**
   * @return the address of the shared stage server of {@code transport}
   * @throws IllegalArgumentException naming the property when it is not set
   */
  public static String address(String transport) {
    String value = System.getProperty(PROPERTY_PREFIX + transport, "").trim();
    if (value.isEmpty()) {
      throw new IllegalArgumentException(
          "tail 'shared' means the stage server a sweep shares among its "
              + transport
              + " points, whose address the sweep passes as -D"
              + PROPERTY_PREFIX
              + transport
              + "=HOST:PORT; it is not set in this JVM: use tail=spawn, or tail=HOST:PORT for a"
              + " running 'paretopipe serve'");
    }
    return value;
  }

  /** The process id of the shared server of {@code transport}, when the sweep gave it. */
  public static Optional<Long> pid(String transport) {
    return longProperty(PROPERTY_PREFIX + transport + ".pid");
  }

  /** The CPU quota (percent of one CPU) the shared server of {@code transport} runs under. */
  public static Optional<Integer> cpuQuotaPercent(String transport) {
    return longProperty(PROPERTY_PREFIX + transport + ".cpuQuotaPercent").map(Long::intValue);
  }

  /**
   * The properties that describe a shared server, for {@code System.setProperty} or {@code -D}
   * arguments of a fork.
   *
   * @param cpuQuotaPercent null when the server runs without a quota
   */
  public static Map<String, String> properties(
      String transport, String address, long pid, Integer cpuQuotaPercent) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(PROPERTY_PREFIX + transport, address);
    p.put(PROPERTY_PREFIX + transport + ".pid", Long.toString(pid));
    if (cpuQuotaPercent != null) {
      p.put(PROPERTY_PREFIX + transport + ".cpuQuotaPercent", Integer.toString(cpuQuotaPercent));
    }
    return p;
  }

  /** Forgets the properties of {@code transport} in this JVM (a server that was replaced). */
  public static void clear(String transport) {
    System.clearProperty(PROPERTY_PREFIX + transport);
    System.clearProperty(PROPERTY_PREFIX + transport + ".pid");
    System.clearProperty(PROPERTY_PREFIX + transport + ".cpuQuotaPercent");
  }

  private static Optional<Long> longProperty(String name) {
    String value = System.getProperty(name, "").trim();
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "-D" + name + "=" + value + " (expected: a whole number)", e);
    }
  }
}
