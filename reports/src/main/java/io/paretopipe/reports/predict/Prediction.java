package io.paretopipe.reports.predict;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The predicted latency and throughput of one cut combination of a pipeline, with the terms they
 * are made of. Immutable.
 *
 * @param cuts the cut points, increasing, one per hop ({@code split=3} is {@code [3]}, {@code 3:9}
 *     is {@code [3, 9]})
 * @param latencyMs one request (one batch) end to end with one request in flight, in ms
 * @param throughputImgS images per second with {@code depth} requests in flight
 * @param stageComputeMs compute per batch of each stage, head first, in ms
 * @param hopBytes request bytes per batch sent over each hop (the tensor at the cut)
 * @param hopWireMs per hop: twice the one-way delay plus the request's and the response's time
 *     through the rate limit after an idle link, in ms
 * @param hopOverheadMs per hop: the calibrated overhead, in ms (0 when not calibrated)
 * @param bottleneck what limits the throughput: a stage ({@code head}, {@code middle 1}, {@code
 *     tail}), a link ({@code link 1} between the head and the next stage), or {@code window} when
 *     {@code depth} requests in flight cannot keep the slowest stage busy, or {@code sequential}
 *     when the stages run one after the other on one thread ({@code local} transport)
 * @param busiest the stage or link with the most work per batch ({@code head}, {@code middle 1},
 *     {@code tail}, {@code link 1}), even when {@code bottleneck} is {@code window}; {@code
 *     sequential} when one thread runs every stage
 * @param busiestMs its work per batch in ms: compute plus half the calibrated overhead of each
 *     neighbouring hop for a stage, {@code max(Bh, R) x 8 / rate} for a link, the latency for
 *     {@code sequential}: the service time of the queue an open-loop load forms in front of it
 */
public record Prediction(
    int[] cuts,
    double latencyMs,
    double throughputImgS,
    double[] stageComputeMs,
    long[] hopBytes,
    double[] hopWireMs,
    double[] hopOverheadMs,
    String bottleneck,
    String busiest,
    double busiestMs) {

  public Prediction {
    cuts = cuts.clone();
    stageComputeMs = stageComputeMs.clone();
    hopBytes = hopBytes.clone();
    hopWireMs = hopWireMs.clone();
    hopOverheadMs = hopOverheadMs.clone();
  }

  /**
   * @return the split label, e.g. {@code 3} or {@code 3:9} (the {@code split} param of
   *     PartitionBenchmark)
   */
  public String split() {
    return Arrays.stream(cuts).mapToObj(Integer::toString).collect(Collectors.joining(":"));
  }

  @Override
  public int[] cuts() {
    return cuts.clone();
  }

  @Override
  public double[] stageComputeMs() {
    return stageComputeMs.clone();
  }

  @Override
  public long[] hopBytes() {
    return hopBytes.clone();
  }

  @Override
  public double[] hopWireMs() {
    return hopWireMs.clone();
  }

  @Override
  public double[] hopOverheadMs() {
    return hopOverheadMs.clone();
  }

  /**
   * @return the request bytes summed over the hops
   */
  public long totalBytes() {
    return Arrays.stream(hopBytes).sum();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Prediction p
        && Arrays.equals(cuts, p.cuts)
        && Double.compare(latencyMs, p.latencyMs) == 0
        && Double.compare(throughputImgS, p.throughputImgS) == 0
        && Arrays.equals(stageComputeMs, p.stageComputeMs)
        && Arrays.equals(hopBytes, p.hopBytes)
        && Arrays.equals(hopWireMs, p.hopWireMs)
        && Arrays.equals(hopOverheadMs, p.hopOverheadMs)
        && bottleneck.equals(p.bottleneck)
        && busiest.equals(p.busiest)
        && Double.compare(busiestMs, p.busiestMs) == 0;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(cuts) * 31 + Double.hashCode(latencyMs);
  }

  @Override
  public String toString() {
    return "split "
        + split()
        + ": "
        + latencyMs
        + " ms, "
        + throughputImgS
        + " img/s ("
        + bottleneck
        + ")";
  }
}
