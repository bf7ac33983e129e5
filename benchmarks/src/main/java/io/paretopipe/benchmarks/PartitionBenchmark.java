package io.paretopipe.benchmarks;

import io.paretopipe.format.HlogFileName;
import io.paretopipe.format.RunFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * One partition point per parameter set: the model cut at {@code split}, the head in the
 * benchmark's JVM, the tail in a stage server reached over {@code transport} through {@code link}.
 *
 * <ul>
 *   <li>{@link #latency}: SampleTime in ms/op, one request (one batch of {@code batch} images) in
 *       flight, end to end on the head's clock.
 *   <li>{@link #throughput}: Throughput in ops/s with {@code depth} requests in flight (pipeline
 *       parallelism); one op is one batch submitted, and the secondary metric {@code images} is
 *       images per second.
 * </ul>
 *
 * A {@code Level.Trial} fixture ({@link PartitionFixture}) spawns the stage server(s) pinned to
 * other CPUs than the head (or reaches {@code tail=HOST:PORT}), loads the head and handshakes;
 * every request of the measurement iterations is recorded per phase into HdrHistograms, written at
 * trial end to {@code <dir>/<name>.hlog} ({@link HlogFileName}; {@code dir} from {@code
 * -Dparetopipe.hlog.dir}, default {@code hlog/} in the working directory: pass it to the fork with
 * {@code -jvmArgsAppend -Dparetopipe.hlog.dir=...}).
 *
 * <p>Parameters (all strings in JMH's JSON): {@code model}, {@code split} ({@code K} or {@code
 * K1:K2}), {@code transport} ({@code nio}, {@code local}, {@code grpc}), {@code link} ({@code
 * none}, a netem preset name or spec), {@code batch}, {@code depth}, {@code tail} ({@code spawn},
 * {@code shared} for a sweep's shared stage server ({@link SharedTail}), or {@code
 * HOST:PORT[/HOST:PORT...]}), {@code headThreads}, {@code tailThreads}, {@code headCpus}, {@code
 * tailCpus} ({@code auto}: head on CPU 0, tail on the others; {@code none}; or a taskset list),
 * {@code grpcTuning} (grpc only). A bad parameter (e.g. a split out of range) fails the trial in
 * setup, before any stage is started, with the valid values in the message.
 *
 * <p>CPU time and energy (docs/ENERGY.md): one window per trial, from the first measurement
 * iteration to the last request back, per stage ({@code head}, {@code stage1}, ..., {@code total})
 * in CPU ms per image and, as {@code -Dparetopipe.energy} asks (default {@code auto}), energy in J
 * per image with its label. They go into the hlog's comments ({@link
 * io.paretopipe.format.CostComments}), not JMH secondary metrics: a secondary metric is a number
 * per iteration and cannot carry the label ({@code estimated}, {@code unavailable}) or say that a
 * figure is unknown rather than 0.
 *
 * <p>Coordinated omission: {@code latency} never has more than one request outstanding, so none is
 * omitted; {@code throughput}'s recorded end-to-end times include the wait for a window slot, the
 * latency a pipelined client sees.
 *
 * <p>Warm-up when run directly ({@code java -jar benchmarks.jar PartitionBenchmark ...}): 5 x 3 s
 * (2 x 3 s before 2026-12-07). Over grpc at split 3 the throughput was still ~15 % below where it
 * settled after 6 s and took 15-24 s to get there (one hold: 8.7, 9.8, 10.1, 10.0, 11.3, 11.6 ops/s
 * per 3 s, then 11.2-12.4; docs/runs/2026-12-07-partition-warmup). The sweep sets its own warm-up
 * per setting (docs/BENCHMARKS.md), so this default is only the direct run's.
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true"})
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 3, time = 4)
public class PartitionBenchmark {

  /**
   * System property naming the folder the {@code .hlog} files go to; default {@code hlog} in the
   * working directory, beside {@code -rff r.json} written there ({@link RunFolder#HLOG}).
   */
  public static final String HLOG_DIR_PROPERTY = "paretopipe.hlog.dir";

  /**
   * The params of the Server scenario, left out of closed-loop hlog names and comments, so those
   * stay what they were before the params existed.
   */
  public static final java.util.List<String> SCENARIO_PARAMS =
      java.util.List.of("scenario", "rate", "slo");

  /**
   * The grpc tuning param, left out of hlog names and comments at {@link
   * PartitionConfig#DEFAULT_GRPC_TUNING}.
   */
  public static final String GRPC_TUNING_PARAM = "grpcTuning";

  @Param("mobilenetv2")
  public String model;

  /** Every valid split of mobilenetv2 (19 units); {@code K1:K2} for three stages. */
  @Param({
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19"
  })
  public String split;

  @Param({"nio", "local"})
  public String transport;

  @Param("none")
  public String link;

  @Param("8")
  public int batch;

  @Param("4")
  public int depth;

  @Param("spawn")
  public String tail;

  @Param("1")
  public int headThreads;

  @Param("1")
  public int tailThreads;

  @Param("auto")
  public String headCpus;

  @Param("auto")
  public String tailCpus;

  /**
   * Device profile of the head ({@code none}: headCpus and headThreads apply); {@code netem
   * profiles} lists them.
   */
  @Param("none")
  public String headDevice;

  /** Device profile of each spawned stage server ({@code none}: tailCpus and tailThreads apply). */
  @Param("none")
  public String tailDevice;

  /**
   * {@code closed} (default: {@link #latency} and {@link #throughput} as documented above) or
   * {@code server}: MLPerf's Server scenario ({@link ServerScenario}), run by {@link #throughput}
   * only, one operation per scheduled Poisson arrival at {@code rate}; latency from each request's
   * intended release, judged against {@code slo}, goes to {@code
   * <dir>/PartitionBenchmark.server__model=...__slo=....server.json} and its raw log to {@code
   * .raw.csv} (no {@code .hlog}; see docs/OPEN-LOOP.md).
   */
  /**
   * grpc only: the HTTP/2 settings of the head's channel and of the stage servers the trial spawns
   * ({@code default}, {@code tuned} or one knob; {@link io.paretopipe.harness.server.GrpcTuning});
   * a shared or running server keeps its own. Left out of the hlog name and comments at {@code
   * default}, so those stay what they were before the param existed.
   */
  @Param(PartitionConfig.DEFAULT_GRPC_TUNING)
  public String grpcTuning;

  @Param(ServerScenario.CLOSED)
  public String scenario;

  /** Arrivals per second of {@code scenario=server}, e.g. {@code 12/s}; unused when closed. */
  @Param(ServerScenario.NONE)
  public String rate;

  /** The SLO {@code scenario=server} is judged against, e.g. {@code p99:500ms}, or none. */
  @Param(ServerScenario.NONE)
  public String slo;

  /**
   * System property: requests each trial sends after its set-up and before JMH's first iteration,
   * default 0. Their timings are discarded, except that {@link #throughput} leaves up to {@code
   * depth} of them in flight, so its first iteration starts with a full window as every later one
   * does, and those are recorded where they complete. The sweep uses this instead of timed warm-up
   * iterations: what needs warming is the first forward of a freshly built stage, a few requests,
   * not seconds.
   */
  public static final String WARMUP_REQUESTS_PROPERTY = "paretopipe.warmupRequests";

  private PartitionFixture fixture;
  private ServerScenario server;
  private boolean warmupIteration;
  private boolean lastMeasurementIteration;
  private int measurementIterationsStarted;

  /** Images per second of {@link #throughput}, JMH's secondary metric {@code images}. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class ImageCounter {
    /** Images submitted in the current iteration. */
    public long images;

    @Setup(Level.Iteration)
    public void reset() {
      images = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams benchmark) throws Exception {
    PartitionConfig config =
        PartitionConfig.builder(model, split, transport)
            .link(link)
            .batch(batch)
            .depth(depth)
            .tail(tail)
            .threads(headThreads, tailThreads)
            .cpus(headCpus, tailCpus)
            .devices(headDevice, tailDevice)
            .grpcTuning(grpcTuning)
            .build();
    int inFlight = benchmark.getBenchmark().endsWith(".latency") ? 1 : depth;
    if (ServerScenario.validate(scenario, rate, slo)) {
      if (inFlight == 1) {
        throw new IllegalArgumentException(
            "scenario=server runs in PartitionBenchmark.throughput (one op per scheduled arrival);"
                + " latency keeps one request in flight: select throughput or -p scenario=closed");
      }
      fixture = PartitionFixture.open(config, 0);
      server =
          new ServerScenario(
              io.paretopipe.harness.driver.LoadTarget.of(fixture.pipeline()),
              ServerScenario.schedule(io.paretopipe.harness.driver.ArrivalSchedule.parseRate(rate)),
              ServerScenario.parseSlo(slo),
              fixture.pipeline().spec().link().requestsPerSecond(fixture.bytesPerRequest()));
      measurementIterationsStarted = 0;
      return;
    }
    fixture = PartitionFixture.open(config, inFlight);
    int warmupRequests = Integer.getInteger(WARMUP_REQUESTS_PROPERTY, 0);
    if (warmupRequests < 0) {
      throw new IllegalArgumentException(
          "-D" + WARMUP_REQUESTS_PROPERTY + "=" + warmupRequests + " (expected: >= 0)");
    }
    for (int i = 0; i < warmupRequests; i++) {
      if (inFlight == 1) {
        fixture.driver().runOne();
      } else {
        fixture.driver().submit();
      }
    }
    fixture.recorder().reset();
    measurementIterationsStarted = 0;
  }

  @Setup(Level.Iteration)
  public void startIteration(IterationParams iteration) throws IOException {
    warmupIteration = iteration.getType() == IterationType.WARMUP;
    if (!warmupIteration) {
      measurementIterationsStarted++;
      fixture.startCostWindow();
    }
    lastMeasurementIteration =
        !warmupIteration && measurementIterationsStarted == iteration.getCount();
    if (server != null) {
      if (measurementIterationsStarted == 1 && !warmupIteration) {
        server.start();
      } else {
        server.resume();
      }
    }
  }

  /** One batch end to end, alone in the pipeline. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public long latency() throws IOException {
    fixture.driver().runOne();
    return fixture.driver().completed();
  }

  /** Submits one batch, waiting for a free slot in the window of {@code depth} requests. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughput(ImageCounter counter) throws IOException {
    if (server != null) {
      server.release();
      counter.images += batch;
      return;
    }
    fixture.driver().submit();
    counter.images += batch;
  }

  /**
   * Closes the iteration's hlog interval. After the last measured iteration the requests still in
   * flight are awaited first (JMH's timing has ended), so they land in that interval instead of one
   * after it: the log holds exactly one interval per measured iteration, each request counted once,
   * in the interval in which it completed.
   */
  @TearDown(Level.Iteration)
  public void endIteration() throws IOException {
    if (server != null) {
      return;
    }
    if (warmupIteration) {
      fixture.recorder().reset();
    } else {
      if (lastMeasurementIteration) {
        fixture.driver().awaitIdle();
      }
      fixture.recorder().endInterval();
    }
  }

  /**
   * The params a closed-loop trial's hlog is named by and carries in its comments: every param of
   * the trial but {@link #SCENARIO_PARAMS}, and {@link #GRPC_TUNING_PARAM} at its default.
   */
  public static Map<String, String> hlogParams(BenchmarkParams benchmark) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String key : benchmark.getParamsKeys()) {
      params.put(key, benchmark.getParam(key));
    }
    params.keySet().removeAll(SCENARIO_PARAMS);
    params.remove(GRPC_TUNING_PARAM, PartitionConfig.DEFAULT_GRPC_TUNING);
    return params;
  }

  @TearDown(Level.Trial)
  public void tearDown(BenchmarkParams benchmark) throws IOException {
    if (fixture == null) {
      return;
    }
    try {
      Map<String, String> params = new LinkedHashMap<>();
      for (String key : benchmark.getParamsKeys()) {
        params.put(key, benchmark.getParam(key));
      }
      Path dir = Path.of(System.getProperty(HLOG_DIR_PROPERTY, RunFolder.HLOG));
      if (server != null) {
        Map<String, String> named = new LinkedHashMap<>();
        for (String key :
            java.util.List.of("model", "split", "transport", "link", "batch", "rate", "slo")) {
          named.put(key, params.get(key));
        }
        if (!PartitionConfig.DEFAULT_GRPC_TUNING.equals(params.get(GRPC_TUNING_PARAM))) {
          named.put(GRPC_TUNING_PARAM, params.get(GRPC_TUNING_PARAM));
        }
        // the identifying params only: every param would pass the 255-byte file-name limit
        String name = HlogFileName.of("PartitionBenchmark.server", named);
        server.writeJson(
            server.finish(),
            Duration.ZERO,
            dir.resolve(
                name.substring(0, name.length() - HlogFileName.EXTENSION.length())
                    + ".server.json"));
        return;
      }
      Map<String, String> named = hlogParams(benchmark);
      fixture.driver().awaitIdle();
      fixture.stopCostWindow();
      fixture.writeHlog(
          dir.resolve(HlogFileName.ofBenchmark(benchmark.getBenchmark(), named)), named);
    } finally {
      if (server != null) {
        server.close();
        server = null;
      }
      fixture.close();
      fixture = null;
    }
  }
}
