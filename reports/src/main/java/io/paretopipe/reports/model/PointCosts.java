package io.paretopipe.reports.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a point cost per image, from the CPU and energy comments of its hlogs ({@link
 * io.paretopipe.format.CostComments}, docs/ENERGY.md): CPU milliseconds per image of each stage and
 * their total, and joules per image with the label of the tier that gave them. Immutable.
 *
 * @param cpuMsPerImage by stage in pipeline order ({@code head}, {@code stage1}, ...) then {@code
 *     total}; empty when the run recorded no CPU time
 * @param energyJPerImage joules per image of the whole pipeline ({@link CostFigure#NONE} when not a
 *     number)
 * @param energyPartsJPerImage joules per image by part as the tier gives them (stages for the model
 *     tier, domains for RAPL)
 * @param energyLabel {@code measured}, {@code imported}, {@code estimated}, {@code unavailable}, or
 *     {@code ""} when the run recorded no energy
 * @param energyNote the tier, and for {@code unavailable} why; {@code ""} when none
 * @param method the benchmark method whose windows these are ({@code throughput}, else {@code
 *     latency}), {@code ""} when none
 * @param energyLinkJPerImage joules per image of moving the tensors over the link, estimated apart
 *     from {@code energyJPerImage} and not included in it ({@link CostFigure#NONE} when not a
 *     number)
 * @param energyLinkLabel {@code estimated}, {@code unavailable}, or {@code ""} when the run
 *     recorded none
 * @param energyLinkNote why the link's energy is unavailable, {@code ""} otherwise
 */
public record PointCosts(
    Map<String, CostFigure> cpuMsPerImage,
    CostFigure energyJPerImage,
    Map<String, CostFigure> energyPartsJPerImage,
    String energyLabel,
    String energyNote,
    String method,
    CostFigure energyLinkJPerImage,
    String energyLinkLabel,
    String energyLinkNote) {

  /** Stage name of the total. */
  public static final String TOTAL = io.paretopipe.format.CostComments.TOTAL;

  /** Stage name of the head. */
  public static final String HEAD = io.paretopipe.format.CostComments.HEAD;

  /** The label shown where no tier gave a figure. */
  public static final String UNAVAILABLE = io.paretopipe.format.CostComments.UNAVAILABLE;

  /** Nothing recorded. */
  public static final PointCosts NONE =
      new PointCosts(Map.of(), CostFigure.NONE, Map.of(), "", "", "");

  /** Costs without a link energy recorded. */
  public PointCosts(
      Map<String, CostFigure> cpuMsPerImage,
      CostFigure energyJPerImage,
      Map<String, CostFigure> energyPartsJPerImage,
      String energyLabel,
      String energyNote,
      String method) {
    this(
        cpuMsPerImage,
        energyJPerImage,
        energyPartsJPerImage,
        energyLabel,
        energyNote,
        method,
        CostFigure.NONE,
        "",
        "");
  }

  public PointCosts {
    cpuMsPerImage = Collections.unmodifiableMap(new LinkedHashMap<>(cpuMsPerImage));
    Objects.requireNonNull(energyJPerImage, "energyJPerImage");
    energyPartsJPerImage = Collections.unmodifiableMap(new LinkedHashMap<>(energyPartsJPerImage));
    Objects.requireNonNull(energyLabel, "energyLabel");
    Objects.requireNonNull(energyNote, "energyNote");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(energyLinkJPerImage, "energyLinkJPerImage");
    Objects.requireNonNull(energyLinkLabel, "energyLinkLabel");
    Objects.requireNonNull(energyLinkNote, "energyLinkNote");
  }

  /**
   * @return the link energy's label to show: {@link #energyLinkLabel}, or {@code unavailable} when
   *     the run recorded none (never an empty cell that reads as 0)
   */
  public String energyLinkLabelShown() {
    return energyLinkLabel.isEmpty() ? UNAVAILABLE : energyLinkLabel;
  }

  /**
   * @param stage {@code head}, {@code stage1}, ..., or {@code total}
   * @return its CPU ms per image, {@link CostFigure#NONE} when not known
   */
  public CostFigure cpu(String stage) {
    return cpuMsPerImage.getOrDefault(stage, CostFigure.NONE);
  }

  /**
   * @return the total CPU ms per image over the stages
   */
  public CostFigure cpuTotal() {
    return cpu(TOTAL);
  }

  /**
   * @return the remote stages' CPU ms per image ({@code stage1}, {@code stage2}, ... summed), NaN
   *     when one of them is not known or there is none
   */
  public double cpuTailValue() {
    return sumOfStages(cpuMsPerImage);
  }

  /**
   * @return the head's joules per image ({@code head} part), {@link CostFigure#NONE} when the tier
   *     gives no per-stage parts
   */
  public CostFigure energyHead() {
    return energyPartsJPerImage.getOrDefault(HEAD, CostFigure.NONE);
  }

  /**
   * @return the value of the remote stages' joules per image ({@code stage1}, {@code stage2}, ...
   *     summed), NaN when the tier gives no per-stage parts
   */
  public double energyTailValue() {
    return sumOfStages(energyPartsJPerImage);
  }

  /** The values of the {@code stage1}, {@code stage2}, ... entries summed, NaN without any. */
  private static double sumOfStages(Map<String, CostFigure> byStage) {
    double sum = 0;
    boolean any = false;
    for (Map.Entry<String, CostFigure> e : byStage.entrySet()) {
      if (e.getKey().startsWith("stage")) {
        sum += e.getValue().value();
        any = true;
      }
    }
    return any ? sum : Double.NaN;
  }

  /**
   * @return the label to show: {@link #energyLabel}, or {@code unavailable} when the run recorded
   *     no energy (never an empty cell that reads as 0)
   */
  public String energyLabelShown() {
    return energyLabel.isEmpty() ? UNAVAILABLE : energyLabel;
  }

  /**
   * @return every figure by a name of its own: {@code cpu.<stage>}, {@code energy}, {@code
   *     energy.<part>}
   */
  public Map<String, CostFigure> figures() {
    Map<String, CostFigure> all = new LinkedHashMap<>();
    cpuMsPerImage.forEach((k, v) -> all.put("cpu." + k, v));
    if (energyJPerImage.known()) {
      all.put("energy", energyJPerImage);
    }
    energyPartsJPerImage.forEach((k, v) -> all.put("energy." + k, v));
    return all;
  }

  /**
   * @param name a key of {@link #figures()}
   * @return this with that figure's interval replaced
   */
  public PointCosts withInterval(String name, io.paretopipe.reports.stats.MeanInterval interval) {
    Map<String, CostFigure> cpu = new LinkedHashMap<>(cpuMsPerImage);
    Map<String, CostFigure> parts = new LinkedHashMap<>(energyPartsJPerImage);
    CostFigure energy = energyJPerImage;
    if (name.equals("energy")) {
      energy = energy.withInterval(interval);
    } else if (name.startsWith("cpu.")) {
      cpu.computeIfPresent(name.substring(4), (k, f) -> f.withInterval(interval));
    } else if (name.startsWith("energy.")) {
      parts.computeIfPresent(name.substring(7), (k, f) -> f.withInterval(interval));
    }
    return new PointCosts(
        cpu,
        energy,
        parts,
        energyLabel,
        energyNote,
        method,
        energyLinkJPerImage,
        energyLinkLabel,
        energyLinkNote);
  }
}
