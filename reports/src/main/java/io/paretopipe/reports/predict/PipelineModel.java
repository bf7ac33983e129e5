package io.paretopipe.reports.predict;

import io.paretopipe.reports.pareto.ParetoFrontier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Predicts latency and pipelined throughput of every cut combination of a model split over {@code
 * N} devices from per-unit compute profiles, a link and a per-hop overhead. Immutable and
 * thread-safe.
 *
 * <p>Stages: with cuts {@code k1 < k2 < ... < k(N-1)} in {@code 0..n}, stage 0 (the head) runs the
 * prefix and units {@code [0, k1)} with the head's profile, stage {@code s} runs {@code [ks, ks+1)}
 * with the middle profile, and the last stage (the tail) runs {@code [k(N-1), n)} and the suffix
 * with the tail's profile. Hop {@code h} carries the tensor at cut {@code kh} ({@code Bh} bytes per
 * batch) forward and the model's output ({@code R} bytes) back: results travel back through every
 * stage, as the stage servers do.
 *
 * <pre>
 * compute(s)   = prefix (head only) + sum of the stage's units + suffix (tail only)       stage s's own profile
 * wire(h)      = 2 * delay + max(0, Bh - burst) / rate + max(0, R - burst) / rate         a request after an idle link
 * overhead(h)  = fixedMs + msPerMegabyte * Bh / 1e6                                       {@link Overhead}
 * latency      = sum over stages of compute(s) + sum over hops of (wire(h) + overhead(h))
 * busy(s)      = compute(s) + half of max(0, overhead(h)) for each hop h next to stage s  CPU time per request
 * busy(link h) = max(Bh, R) / rate                                                        each direction separately
 * bottleneck   = max over stages and links of busy
 * throughput   = batch * 1000 / max(bottleneck, latency / depth)                          images per second
 * </pre>
 *
 * <p>Latency uses the token bucket's burst (one request after an idle link: the bucket is full);
 * throughput uses the plain rate (in steady state the bucket is empty). Jitter does not change the
 * mean delay and is ignored; loss (retransmissions) and TCP window growth on long-delay links are
 * not modelled. The {@code depth} bound: with {@code depth} requests in flight no more than {@code
 * depth} batches complete per latency.
 *
 * <p>{@link #frontier()} finds the latency/throughput frontier over all {@code C(n+1, N-1)}
 * combinations without enumerating them, by dynamic programming over the cut positions: a partial
 * pipeline is {@code (latency so far, bottleneck so far)}; extending it adds to the first and takes
 * a maximum with the second, both monotone, so a partial state ending at the same cut with a
 * strictly smaller latency and a bottleneck no larger makes it redundant. The surviving complete
 * pipelines contain every frontier point (ties included); a property test checks it against full
 * enumeration.
 *
 * <p>Every term (a unit's compute, a hop's wire time and overhead) is rounded to whole nanoseconds
 * once and summed as {@code long}s, so the sums do not depend on the order of addition, equal sums
 * are exact ties, and the dynamic program and {@link #predict} agree to the bit.
 */
public final class PipelineModel {
  private final List<UnitProfile> stages;
  private final LinkSpec link;
  private final Overhead overhead;
  private final int depth;
  private final boolean pipelined;
  private final int unitCount;
  private final long[] cutBytes;
  private final long outputBytes;
  private final long[][] cumulativeNanos;
  private final long[] prefixNanos;
  private final long[] suffixNanos;
  private final long[] hopLatencyNanos;
  private final long[] hopWireNanos;
  private final long[] hopOverheadNanos;
  private final long[] hopBusyNanos;
  private final long[] halfOverheadNanos;

  /**
   * @param stages one profile per device, head first; at least two, all of the same model, batch
   *     and cut bytes
   * @param link the link of every hop
   * @param overhead the per-hop overhead
   * @param depth requests in flight for the throughput, {@code >= 1}
   * @throws IllegalArgumentException when the profiles do not describe the same model and batch
   */
  public PipelineModel(List<UnitProfile> stages, LinkSpec link, Overhead overhead, int depth) {
    this(stages, link, overhead, depth, true);
  }

  private PipelineModel(
      List<UnitProfile> stages, LinkSpec link, Overhead overhead, int depth, boolean pipelined) {
    this.pipelined = pipelined;
    this.stages = List.copyOf(stages);
    this.link = Objects.requireNonNull(link, "link");
    this.overhead = Objects.requireNonNull(overhead, "overhead");
    if (this.stages.size() < 2) {
      throw new IllegalArgumentException(
          "stages: " + this.stages.size() + " (expected: at least 2 devices)");
    }
    if (depth < 1) {
      throw new IllegalArgumentException("depth: " + depth + " (expected: >= 1)");
    }
    this.depth = depth;
    UnitProfile head = this.stages.get(0);
    for (UnitProfile p : this.stages) {
      if (!p.model().equals(head.model())
          || p.batch() != head.batch()
          || p.unitCount() != head.unitCount()
          || !Arrays.equals(p.cutBytes(), head.cutBytes())
          || p.outputBytes() != head.outputBytes()
          || p.hasPrefix() != head.hasPrefix()) {
        throw new IllegalArgumentException(
            "the unit profiles of the stages disagree: "
                + head.describe()
                + " vs "
                + p.describe()
                + " (expected: the same model, batch and bytes at every cut)");
      }
    }
    unitCount = head.unitCount();
    cutBytes = head.cutBytes();
    outputBytes = head.outputBytes();
    int count = this.stages.size();
    cumulativeNanos = new long[count][];
    prefixNanos = new long[count];
    suffixNanos = new long[count];
    for (int s = 0; s < count; s++) {
      UnitProfile p = this.stages.get(s);
      long[] cumulative = new long[unitCount + 1];
      for (int u = 0; u < unitCount; u++) {
        cumulative[u + 1] = cumulative[u] + nanos(p.unitMs(u));
      }
      cumulativeNanos[s] = cumulative;
      prefixNanos[s] = nanos(p.prefixMs());
      suffixNanos[s] = nanos(p.suffixMs());
    }
    hopLatencyNanos = new long[unitCount + 1];
    hopWireNanos = new long[unitCount + 1];
    hopOverheadNanos = new long[unitCount + 1];
    hopBusyNanos = new long[unitCount + 1];
    halfOverheadNanos = new long[unitCount + 1];
    for (int k = 0; k <= unitCount; k++) {
      hopWireNanos[k] =
          2 * link.delayNanos()
              + nanos(link.transferAfterIdleMs(cutBytes[k]))
              + nanos(link.transferAfterIdleMs(outputBytes));
      hopOverheadNanos[k] = nanos(overhead.hopMs(cutBytes[k]));
      hopLatencyNanos[k] = hopWireNanos[k] + hopOverheadNanos[k];
      hopBusyNanos[k] = nanos(link.transferMs(Math.max(cutBytes[k], outputBytes)));
      halfOverheadNanos[k] = Math.max(0, hopOverheadNanos[k]) / 2;
    }
  }

  /**
   * Every term is rounded to whole nanoseconds once, so sums are exact and equal sums are real
   * ties.
   */
  private static long nanos(double ms) {
    return Math.round(ms * 1e6);
  }

  /**
   * @return a model with the same profiles, overhead and depth over another link
   */
  public PipelineModel withLink(LinkSpec other) {
    return new PipelineModel(stages, other, overhead, depth, pipelined);
  }

  /**
   * A model of stages that run one after the other on one thread, as the {@code local} transport
   * does (the head's thread runs every stage): no pipeline parallelism, so {@code throughput =
   * batch * 1000 / latency} whatever the depth, and the bottleneck is {@code sequential}.
   *
   * @return the same model without pipelining
   */
  public PipelineModel sequential() {
    return new PipelineModel(stages, link, overhead, depth, false);
  }

  /**
   * @return false for a {@link #sequential()} model
   */
  public boolean pipelined() {
    return pipelined;
  }

  /**
   * @return the number of devices (stages)
   */
  public int stageCount() {
    return stages.size();
  }

  /**
   * @return the number of units {@code n} of the model
   */
  public int unitCount() {
    return unitCount;
  }

  /**
   * @return the model name
   */
  public String model() {
    return stages.get(0).model();
  }

  /**
   * @return images per request
   */
  public int batch() {
    return stages.get(0).batch();
  }

  /**
   * @return the link
   */
  public LinkSpec link() {
    return link;
  }

  /**
   * @return the per-hop overhead
   */
  public Overhead overhead() {
    return overhead;
  }

  /**
   * @return requests in flight for the throughput
   */
  public int depth() {
    return depth;
  }

  /**
   * @return the stage profiles, head first
   */
  public List<UnitProfile> stages() {
    return stages;
  }

  /**
   * @return {@code head}, {@code middle 1}, ..., {@code tail}
   */
  public String stageName(int s) {
    return s == 0 ? "head" : s == stages.size() - 1 ? "tail" : "middle " + s;
  }

  /**
   * @return the number of cut combinations {@code C(n+1, N-1)}, {@link Long#MAX_VALUE} when larger
   */
  public long combinationCount() {
    return binomial(unitCount + 1, stages.size() - 1);
  }

  static long binomial(int n, int k) {
    if (k < 0 || k > n) {
      return 0;
    }
    k = Math.min(k, n - k);
    long result = 1;
    for (int i = 1; i <= k; i++) {
      long numerator = n - k + i;
      long g = gcd(result, i);
      long r = result / g;
      long d = i / g;
      long m = numerator / d;
      if (r != 0 && Math.abs(m) > Long.MAX_VALUE / r) {
        return Long.MAX_VALUE;
      }
      result = r * m;
    }
    return result;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  private long computeNanos(int s, int from, int to) {
    long ns = cumulativeNanos[s][to] - cumulativeNanos[s][from];
    if (s == 0) {
      ns += prefixNanos[s];
    }
    if (s == stages.size() - 1) {
      ns += suffixNanos[s];
    }
    return ns;
  }

  private long busyNanos(int s, int from, int to, long computeNanos) {
    long busy = computeNanos;
    if (s > 0) {
      busy += halfOverheadNanos[from];
    }
    if (s < stages.size() - 1) {
      busy += halfOverheadNanos[to];
    }
    return busy;
  }

  private double throughput(long latencyNanos, long bottleneckNanos) {
    if (!pipelined) {
      return batch() * 1e9 / latencyNanos;
    }
    return batch() * 1e9 / Math.max(bottleneckNanos, latencyNanos / (double) depth);
  }

  /**
   * @param cuts {@code N-1} increasing cut points in {@code 0..n}
   * @return the prediction
   * @throws IllegalArgumentException naming the valid range when the cuts are not valid for this
   *     model
   */
  public Prediction predict(int... cuts) {
    int hops = stages.size() - 1;
    if (cuts.length != hops) {
      throw new IllegalArgumentException(
          "split "
              + Arrays.toString(cuts)
              + " has "
              + cuts.length
              + " cut(s): "
              + stages.size()
              + " devices need "
              + hops);
    }
    for (int i = 0; i < cuts.length; i++) {
      if (cuts[i] < 0 || cuts[i] > unitCount || (i > 0 && cuts[i] <= cuts[i - 1])) {
        throw new IllegalArgumentException(
            "split "
                + Arrays.stream(cuts)
                    .mapToObj(Integer::toString)
                    .collect(java.util.stream.Collectors.joining(":"))
                + " is not valid for "
                + model()
                + ": cuts must"
                + " increase, each in 0.."
                + unitCount);
      }
    }
    long latency = 0;
    long bottleneck = 0;
    String bottleneckName = "";
    double[] compute = new double[stages.size()];
    long[] bytes = new long[hops];
    double[] wire = new double[hops];
    double[] over = new double[hops];
    int from = 0;
    for (int s = 0; s < stages.size(); s++) {
      int to = s < hops ? cuts[s] : unitCount;
      long computeNanos = computeNanos(s, from, to);
      compute[s] = computeNanos / 1e6;
      latency += computeNanos;
      long busy = busyNanos(s, from, to, computeNanos);
      if (busy > bottleneck || bottleneckName.isEmpty()) {
        bottleneck = busy;
        bottleneckName = stageName(s);
      }
      if (s < hops) {
        latency += hopLatencyNanos[to];
        bytes[s] = cutBytes[to];
        wire[s] = hopWireNanos[to] / 1e6;
        over[s] = hopOverheadNanos[to] / 1e6;
        if (hopBusyNanos[to] > bottleneck) {
          bottleneck = hopBusyNanos[to];
          bottleneckName = "link " + (s + 1);
        }
      }
      from = to;
    }
    String busiest = pipelined ? bottleneckName : "sequential";
    long busiestNanos = pipelined ? bottleneck : latency;
    if (!pipelined) {
      bottleneckName = "sequential";
    } else if (latency > bottleneck * depth) {
      bottleneckName = "window";
    }
    return new Prediction(
        cuts,
        latency / 1e6,
        throughput(latency, bottleneck),
        compute,
        bytes,
        wire,
        over,
        bottleneckName,
        busiest,
        busiestNanos / 1e6);
  }

  /**
   * Every cut combination, in lexicographic order of the cuts.
   *
   * @param limit the most combinations to enumerate
   * @return one prediction per combination
   * @throws IllegalArgumentException when there are more than {@code limit}
   */
  public List<Prediction> enumerate(long limit) {
    long count = combinationCount();
    if (count > limit) {
      throw new IllegalArgumentException(
          count + " cut combinations (expected: at most " + limit + "); use frontier()");
    }
    List<Prediction> all = new ArrayList<>((int) count);
    int[] cuts = new int[stages.size() - 1];
    enumerate(cuts, 0, 0, all);
    return all;
  }

  private void enumerate(int[] cuts, int index, int first, List<Prediction> out) {
    if (index == cuts.length) {
      out.add(predict(cuts));
      return;
    }
    for (int k = first; k <= unitCount - (cuts.length - 1 - index); k++) {
      cuts[index] = k;
      enumerate(cuts, index + 1, k + 1, out);
    }
  }

  /**
   * One partial pipeline of the dynamic program: cuts placed so far, latency and bottleneck so far.
   */
  private record State(long latencyNanos, long bottleneckNanos, int cut, State parent) {
    int[] cuts(int count) {
      int[] cuts = new int[count];
      State s = this;
      for (int i = count - 1; i >= 0; i--) {
        cuts[i] = s.cut;
        s = s.parent;
      }
      return cuts;
    }
  }

  /**
   * The latency/throughput frontier over every cut combination, found by dynamic programming (see
   * the class description): {@code O(n^2 * N * F)} with {@code F} the number of surviving partial
   * states per cut, instead of {@code C(n+1, N-1)} evaluations.
   *
   * @return the frontier predictions (every combination no other dominates; equal ones all stay),
   *     in lexicographic order of the cuts
   */
  public List<Prediction> frontier() {
    int hops = stages.size() - 1;
    List<List<State>> level = new ArrayList<>();
    for (int k = 0; k <= unitCount; k++) {
      level.add(new ArrayList<>());
    }
    for (int k = 0; k <= unitCount - (hops - 1); k++) {
      long compute = computeNanos(0, 0, k);
      long bottleneck = Math.max(busyNanos(0, 0, k, compute), hopBusyNanos[k]);
      level.get(k).add(new State(compute + hopLatencyNanos[k], bottleneck, k, null));
    }
    for (int s = 1; s < hops; s++) {
      level.replaceAll(PipelineModel::prune);
      List<List<State>> next = new ArrayList<>();
      for (int k = 0; k <= unitCount; k++) {
        next.add(new ArrayList<>());
      }
      for (int k = 0; k <= unitCount; k++) {
        for (State state : level.get(k)) {
          for (int k2 = k + 1; k2 <= unitCount - (hops - 1 - s); k2++) {
            long compute = computeNanos(s, k, k2);
            long bottleneck =
                Math.max(
                    state.bottleneckNanos(),
                    Math.max(busyNanos(s, k, k2, compute), hopBusyNanos[k2]));
            next.get(k2)
                .add(
                    new State(
                        state.latencyNanos() + compute + hopLatencyNanos[k2],
                        bottleneck,
                        k2,
                        state));
          }
        }
      }
      level = next;
    }
    int last = stages.size() - 1;
    List<State> complete = new ArrayList<>();
    for (int k = 0; k <= unitCount; k++) {
      for (State state : prune(level.get(k))) {
        long compute = computeNanos(last, k, unitCount);
        long bottleneck = Math.max(state.bottleneckNanos(), busyNanos(last, k, unitCount, compute));
        complete.add(new State(state.latencyNanos() + compute, bottleneck, k, state.parent()));
      }
    }
    double[][] values = new double[complete.size()][];
    for (int i = 0; i < complete.size(); i++) {
      State c = complete.get(i);
      values[i] =
          new double[] {c.latencyNanos(), -throughput(c.latencyNanos(), c.bottleneckNanos())};
    }
    boolean[] on = ParetoFrontier.compute(values);
    List<Prediction> frontier = new ArrayList<>();
    for (int i = 0; i < complete.size(); i++) {
      if (on[i]) {
        State c = complete.get(i);
        int[] cuts = new int[hops];
        cuts[hops - 1] = c.cut();
        if (hops > 1) {
          System.arraycopy(c.parent().cuts(hops - 1), 0, cuts, 0, hops - 1);
        }
        frontier.add(predict(cuts));
      }
    }
    frontier.sort(Comparator.comparing(Prediction::cuts, Arrays::compare));
    return frontier;
  }

  /**
   * Drops every state that another dominates for good: strictly smaller latency and a bottleneck no
   * larger. States with equal latency all stay, so frontier ties survive.
   */
  private static List<State> prune(List<State> states) {
    if (states.size() < 2) {
      return states;
    }
    List<State> sorted = new ArrayList<>(states);
    sorted.sort(
        Comparator.comparingLong(State::latencyNanos).thenComparingLong(State::bottleneckNanos));
    List<State> kept = new ArrayList<>();
    long bestBefore = Long.MAX_VALUE;
    int start = 0;
    while (start < sorted.size()) {
      int end = start;
      long latency = sorted.get(start).latencyNanos();
      while (end < sorted.size() && sorted.get(end).latencyNanos() == latency) {
        end++;
      }
      for (int i = start; i < end; i++) {
        if (sorted.get(i).bottleneckNanos() < bestBefore) {
          kept.add(sorted.get(i));
        }
      }
      bestBefore = Math.min(bestBefore, sorted.get(start).bottleneckNanos());
      start = end;
    }
    return kept;
  }

  /**
   * @param predictions any predictions
   * @return {@code onFrontier[i]}: not dominated in (lower latency, higher throughput) by any other
   */
  public static boolean[] frontierFlags(List<Prediction> predictions) {
    double[][] values = new double[predictions.size()][];
    for (int i = 0; i < predictions.size(); i++) {
      values[i] =
          new double[] {predictions.get(i).latencyMs(), -predictions.get(i).throughputImgS()};
    }
    return ParetoFrontier.compute(values);
  }
}
