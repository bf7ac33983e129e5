package io.paretopipe.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a {@link TransportBenchmark} round trip spends CPU: runs the benchmark's own setup and
 * {@code roundTrip} in a loop (no JMH) and prints, per op, the wall time, the process's CPU time
 * and each thread group's CPU time split into user and kernel (the thread's name with its numbers
 * removed: the head's event loop, grpc's shared {@code grpc-default-worker-ELG-*} or, with a tuning
 * that changes grpc's HTTP/2 handler ({@code tuned} among them), the channel's own {@code
 * paretopipe-grpc-head-PORT-io-*}; the stage's event loops, the stage's executor, the caller).
 * Kernel time is the socket syscalls' copies; user time in an event loop or the caller is Java,
 * including the copies made with {@code Unsafe} (which JFR's execution sampler does not see). The
 * process's minor page faults per op show memory mapped afresh per message. Measured in the same
 * process as both ends, as {@code TransportBenchmark} runs them.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.paretopipe.benchmarks.TransportCpuBreakdown \
 *     TRANSPORT GRPC_TUNING BYTES WARMUP_OPS OPS [ROUNDS]
 * </pre>
 *
 * ({@code TRANSPORT}: echo, nio, grpc; {@code GRPC_TUNING}: a {@code GrpcTuning} name, ignored by
 * the others; {@code ROUNDS}: how many times the measured ops are repeated, one line each.)
 */
public final class TransportCpuBreakdown {
  private TransportCpuBreakdown() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println(
          "usage: TransportCpuBreakdown TRANSPORT GRPC_TUNING BYTES WARMUP_OPS OPS [ROUNDS]");
      System.exit(2);
    }
    TransportBenchmark bench = new TransportBenchmark();
    bench.transport = args[0];
    bench.grpcTuning = args[1];
    bench.bytes = Integer.parseInt(args[2]);
    bench.dispatch = "run-to-completion";
    int warmup = Integer.parseInt(args[3]);
    int ops = Integer.parseInt(args[4]);
    int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    bench.setUp();
    try {
      for (int i = 0; i < warmup; i++) {
        bench.roundTrip();
      }
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      for (int r = 1; r <= rounds; r++) {
        Map<Long, long[]> before = sample(threads);
        long faults0 = minorFaults();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
          bench.roundTrip();
        }
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long faults = minorFaults() - faults0;
        Map<Long, long[]> after = sample(threads);
        Map<String, long[]> groups = new TreeMap<>();
        for (Map.Entry<Long, long[]> e : after.entrySet()) {
          long[] b = before.get(e.getKey());
          long[] a = e.getValue();
          long total = a[0] - (b == null ? 0 : b[0]);
          long user = a[1] - (b == null ? 0 : b[1]);
          if (total <= 0) {
            continue;
          }
          ThreadInfo info = threads.getThreadInfo(e.getKey());
          String name = info == null ? "?" : info.getThreadName().replaceAll("[0-9]+", "N");
          long[] g = groups.computeIfAbsent(name, k -> new long[2]);
          g[0] += total;
          g[1] += user;
        }
        StringBuilder line = new StringBuilder();
        line.append(
            String.format(
                "%s %s %d B round %d: %d ops, wall %.0f us/op, process cpu %.0f us/op,"
                    + " minor page faults %.0f/op;",
                args[0],
                args[1],
                bench.bytes,
                r,
                ops,
                wall / 1e3 / ops,
                cpu / 1e3 / ops,
                (double) faults / ops));
        for (Map.Entry<String, long[]> g : groups.entrySet()) {
          long[] v = g.getValue();
          line.append(
              String.format(
                  " %s %.0f (user %.0f, sys %.0f);",
                  g.getKey(), v[0] / 1e3 / ops, v[1] / 1e3 / ops, (v[0] - v[1]) / 1e3 / ops));
        }
        System.out.println(line);
      }
    } finally {
      bench.tearDown();
    }
  }

  /** The process's minor page faults so far (field 10 of /proc/self/stat), -1 off Linux. */
  private static long minorFaults() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[7]); // fields from the 3rd on: state is f[0], minflt (10th) f[7]
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Thread id to {cpu ns, user ns}. */
  private static Map<Long, long[]> sample(ThreadMXBean threads) {
    Map<Long, long[]> m = new TreeMap<>();
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      long user = threads.getThreadUserTime(id);
      if (cpu >= 0) {
        m.put(id, new long[] {cpu, user});
      }
    }
    return m;
  }
}
