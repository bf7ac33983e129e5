package io.paretopipe.reports.run;

import io.paretopipe.format.CostComments;
import io.paretopipe.reports.hdr.HlogData;
import io.paretopipe.reports.model.CostFigure;
import io.paretopipe.reports.model.MetricSamples;
import io.paretopipe.reports.model.PointCosts;
import io.paretopipe.reports.model.SampleUnit;
import io.paretopipe.reports.stats.ValueCounts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A point's CPU time and energy per image from the {@link CostComments} of its hlogs. Each hlog is
 * one trial, i.e. one pass of one method, so each is one replication unit weighted by the images of
 * its window; the figure is the pooled one (every unit's total over every unit's images), with the
 * 95% interval over the units ({@link MetricSamples#interval}), moderated later with the point's
 * family like the latency and throughput ({@link IntervalModeration}). The throughput method's
 * windows are used (the pipeline at its working depth), else the latency method's. A unit whose
 * figure is {@code unavailable} adds nothing; a figure no unit has is unknown, never 0. Stateless.
 */
final class CostReader {

  private CostReader() {}

  /**
   * @param throughput the throughput method's hlogs, one per file (may be empty)
   * @param latency the latency method's hlogs, one per file (may be empty)
   * @param sourceOf the replication unit (pass) an hlog file belongs to, named as the JMH results'
   *     units are, so the bootstrap pairs them
   * @return the costs, {@link PointCosts#NONE} when no hlog has any
   */
  static PointCosts read(
      List<HlogData> throughput, List<HlogData> latency, Function<Path, String> sourceOf) {
    String method = "throughput";
    List<HlogData> files = withCosts(throughput);
    if (files.isEmpty()) {
      method = "latency";
      files = withCosts(latency);
    }
    if (files.isEmpty()) {
      return PointCosts.NONE;
    }
    Set<String> stages = new LinkedHashSet<>();
    Set<String> parts = new LinkedHashSet<>();
    Set<String> labels = new LinkedHashSet<>();
    Set<String> notes = new LinkedHashSet<>();
    Set<String> linkLabels = new LinkedHashSet<>();
    Set<String> linkNotes = new LinkedHashSet<>();
    String partPrefix = CostComments.ENERGY_J_PER_IMAGE + ".";
    for (HlogData f : files) {
      for (String key : f.comments().keySet()) {
        if (key.startsWith(CostComments.CPU_MS_PER_IMAGE)
            && !key.equals(CostComments.cpuKey(CostComments.TOTAL))) {
          stages.add(key.substring(CostComments.CPU_MS_PER_IMAGE.length()));
        } else if (key.startsWith(partPrefix)) {
          parts.add(key.substring(partPrefix.length()));
        }
      }
      String label = f.comments().get(CostComments.ENERGY_LABEL);
      if (label != null) {
        labels.add(label);
        String tier = f.comments().getOrDefault(CostComments.ENERGY_TIER, "");
        String reason = f.comments().get(CostComments.ENERGY_REASON);
        notes.add(reason == null ? tier : tier + ": " + reason);
      }
      String linkLabel = f.comments().get(CostComments.ENERGY_LINK_LABEL);
      if (linkLabel != null) {
        linkLabels.add(linkLabel);
        String reason = f.comments().get(CostComments.ENERGY_LINK_REASON);
        if (reason != null) {
          linkNotes.add(reason);
        }
      }
    }
    stages.add(CostComments.TOTAL);
    Map<String, CostFigure> cpu = new LinkedHashMap<>();
    for (String stage : stages) {
      cpu.put(stage, figure(files, CostComments.cpuKey(stage), sourceOf));
    }
    Map<String, CostFigure> energyParts = new LinkedHashMap<>();
    for (String part : parts) {
      energyParts.put(part, figure(files, CostComments.energyPartKey(part), sourceOf));
    }
    CostFigure energy = figure(files, CostComments.ENERGY_J_PER_IMAGE, sourceOf);
    labels.remove(CostComments.UNAVAILABLE);
    String label =
        labels.isEmpty()
            ? (notes.isEmpty() ? "" : CostComments.UNAVAILABLE)
            : String.join("+", labels);
    if (!energy.known() && !notes.isEmpty()) {
      label = CostComments.UNAVAILABLE;
    }
    CostFigure link = figure(files, CostComments.ENERGY_LINK_J_PER_IMAGE, sourceOf);
    linkLabels.remove(CostComments.UNAVAILABLE);
    String linkLabel =
        link.known()
            ? String.join("+", linkLabels)
            : (linkLabels.isEmpty() && linkNotes.isEmpty() ? "" : CostComments.UNAVAILABLE);
    return new PointCosts(
        cpu,
        energy,
        energyParts,
        label,
        String.join("; ", notes),
        method,
        link,
        linkLabel,
        link.known() ? "" : String.join("; ", linkNotes));
  }

  private static List<HlogData> withCosts(List<HlogData> files) {
    List<HlogData> out = new ArrayList<>();
    for (HlogData f : files) {
      if (images(f) > 0) {
        out.add(f);
      }
    }
    return out;
  }

  private static long images(HlogData f) {
    String v = f.comments().get(CostComments.IMAGES);
    if (v == null) {
      return 0;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static CostFigure figure(
      List<HlogData> files, String key, Function<Path, String> sourceOf) {
    List<SampleUnit> units = new ArrayList<>();
    double total = 0;
    long images = 0;
    for (HlogData f : files) {
      String v = f.comments().get(key);
      double perImage;
      try {
        perImage = v == null ? Double.NaN : Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        perImage = Double.NaN;
      }
      if (!Double.isFinite(perImage) || perImage < 0) {
        continue;
      }
      long n = images(f);
      units.add(
          new SampleUnit(sourceOf.apply(f.files().get(0)), n, perImage, 0, ValueCounts.EMPTY));
      total += perImage * n;
      images += n;
    }
    if (units.isEmpty()) {
      return CostFigure.NONE;
    }
    double value = total / images;
    MetricSamples samples =
        new MetricSamples(units, images, units.size(), units.size(), "hlog_comments");
    return new CostFigure(value, samples, samples.interval(value));
  }
}
