package io.paretopipe.reports.predict;

import java.util.Arrays;
import java.util.Objects;

/**
 * The compute profile of one model on one device setting: the time of every split unit alone and
 * the tensor bytes at every cut, per batch, as measured by {@code UnitProfileBenchmark}. A model is
 * {@code prefix + units + suffix}; cut {@code k} (split {@code k}) lies before unit {@code k}.
 * Immutable and thread-safe.
 *
 * @param model model name
 * @param batch images per request the profile was measured at
 * @param threads torch intra-op threads of the profile
 * @param variant other params of the profile results as {@code k=v;k=v} (e.g. {@code device=pi}),
 *     or {@code ""}
 * @param source the file the profile was read from, for messages
 * @param prefixMs compute time of the prefix per batch in ms, {@code 0} when the model has no
 *     prefix
 * @param hasPrefix whether the model has a prefix (and the profile measured it)
 * @param unitMs compute time of unit {@code u} per batch in ms, {@code u = 0..n-1}
 * @param suffixMs compute time of the suffix per batch in ms
 * @param cutBytes tensor bytes per batch at cut {@code k = 0..n} (what {@code split=k} sends)
 * @param outputBytes bytes of the model's output per batch (the logits every request returns)
 */
public record UnitProfile(
    String model,
    int batch,
    int threads,
    String variant,
    String source,
    double prefixMs,
    boolean hasPrefix,
    double[] unitMs,
    double suffixMs,
    long[] cutBytes,
    long outputBytes) {

  public UnitProfile {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(source, "source");
    unitMs = unitMs.clone();
    cutBytes = cutBytes.clone();
    if (unitMs.length == 0) {
      throw new IllegalArgumentException("unitMs: empty (expected: at least one unit)");
    }
    if (cutBytes.length != unitMs.length + 1) {
      throw new IllegalArgumentException(
          "cutBytes.length: "
              + cutBytes.length
              + " (expected: units + 1 = "
              + (unitMs.length + 1)
              + ")");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch: " + batch + " (expected: >= 1)");
    }
  }

  /**
   * @return the number of units {@code n}; valid cuts are {@code 0..n}
   */
  public int unitCount() {
    return unitMs.length;
  }

  @Override
  public double[] unitMs() {
    return unitMs.clone();
  }

  @Override
  public long[] cutBytes() {
    return cutBytes.clone();
  }

  /**
   * @return the bytes at cut {@code k} per batch
   */
  public long bytesAtCut(int k) {
    return cutBytes[k];
  }

  /**
   * @return compute time of unit {@code u} per batch in ms
   */
  public double unitMs(int u) {
    return unitMs[u];
  }

  /**
   * @return the whole model's compute per batch in ms
   */
  public double totalMs() {
    return prefixMs + Arrays.stream(unitMs).sum() + suffixMs;
  }

  /**
   * @return e.g. {@code mobilenetv2, batch 8, threads 1 (unit-profile.json)}
   */
  public String describe() {
    return model
        + ", batch "
        + batch
        + ", threads "
        + threads
        + (variant.isEmpty() ? "" : ", " + variant)
        + " ("
        + source
        + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnitProfile p
        && model.equals(p.model)
        && batch == p.batch
        && threads == p.threads
        && variant.equals(p.variant)
        && source.equals(p.source)
        && Double.compare(prefixMs, p.prefixMs) == 0
        && hasPrefix == p.hasPrefix
        && Arrays.equals(unitMs, p.unitMs)
        && Double.compare(suffixMs, p.suffixMs) == 0
        && Arrays.equals(cutBytes, p.cutBytes)
        && outputBytes == p.outputBytes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        model, batch, threads, variant, source, Arrays.hashCode(unitMs), Arrays.hashCode(cutBytes));
  }

  @Override
  public String toString() {
    return "UnitProfile[" + describe() + ", units " + Arrays.toString(unitMs) + "]";
  }
}
