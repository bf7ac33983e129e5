package io.paretopipe.harness.energy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.format.CostComments;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.metrics.CpuReport;
import io.paretopipe.harness.metrics.PipelineCpuSubjects;
import io.paretopipe.harness.metrics.ProcCpu;
import io.paretopipe.harness.metrics.StageCpuMeter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU and energy windows around a pipeline's measured requests, as {@code run} and {@code
 * PartitionBenchmark} take them: CPU time per stage always, energy as an {@code --energy} value
 * asks ({@code off}: none). Not thread-safe: one thread opens and closes a window; a window that is
 * not {@linkplain #stop stopped} must be {@linkplain #abandon abandoned}, so a meter's helper
 * process ({@code perf stat}) ends with it.
 */
public final class PipelineCostMeter {

  private final StageCpuMeter.Window cpu;
  private final EnergyMeter.Window energy;
  private final LinkEnergy link;

  private PipelineCostMeter(StageCpuMeter.Window cpu, EnergyMeter.Window energy, LinkEnergy link) {
    this.cpu = cpu;
    this.energy = energy;
    this.link = link;
  }

  /**
   * Opens both windows.
   *
   * @param pipeline the open pipeline
   * @param stagePids the remote stages' processes on this machine, in order (its own spawned
   *     servers, or a sweep's shared one)
   * @param energySpec an {@code --energy} value ({@link EnergyMeters#VALID})
   * @param devices device profile name per stage, head first, null where none
   * @param cpuQuotaPercents CPU quota per stage in percent of one core, null where none
   * @throws IllegalArgumentException for a bad {@code energySpec}
   */
  public static PipelineCostMeter open(
      Pipeline pipeline,
      List<Long> stagePids,
      String energySpec,
      List<String> devices,
      List<Integer> cpuQuotaPercents)
      throws IOException {
    EnergyMeter meter =
        EnergyMeters.select(
                energySpec,
                new EnergyMeters.Stages(devices, cpuQuotaPercents),
                RaplEnergyMeter.POWERCAP)
            .orElse(null);
    StageCpuMeter cpuMeter =
        new StageCpuMeter(ProcCpu.system(), PipelineCpuSubjects.of(pipeline, stagePids));
    LinkEnergy link = meter == null ? null : linkEnergy(pipeline, energySpec, devices);
    EnergyMeter.Window e = meter == null ? null : meter.start();
    return new PipelineCostMeter(cpuMeter.start(), e, link);
  }

  /**
   * The link's estimated energy ({@link LinkEnergy}): the ends' devices are those of {@code
   * model:NAME} when the energy spec names one, else {@code devices}; the bytes per image are the
   * cut tensor of one request plus the model's output sent back (its class scores, FLOAT32), over
   * the batch.
   */
  static LinkEnergy linkEnergy(Pipeline pipeline, String energySpec, List<String> devices) {
    String spec = energySpec == null ? "" : energySpec.trim();
    List<String> ends = new ArrayList<>(devices);
    if (spec.startsWith("model:")) {
      ends = java.util.Collections.nCopies(devices.size(), spec.substring("model:".length()));
    }
    int batch = pipeline.spec().batch();
    long resultBytes = (long) batch * pipeline.spec().model().options().classes() * Float.BYTES;
    double bytesPerImage = (pipeline.bytesPerRequest() + resultBytes) / (double) batch;
    return LinkEnergy.estimate(
        pipeline.spec().transport().network(),
        pipeline.partition().stageCount(),
        ends,
        bytesPerImage);
  }

  /**
   * The device (null for {@code none} or blank) of each of a pipeline's {@code stages}: {@code
   * head} for the head, {@code tail} for every other stage.
   */
  public static List<String> devicesPerStage(int stages, String head, String tail) {
    List<String> devices = new ArrayList<>();
    for (int i = 0; i < stages; i++) {
      String d = i == 0 ? head : tail;
      devices.add(d == null || d.isBlank() || d.trim().equals("none") ? null : d.trim());
    }
    return devices;
  }

  /** The CPU quota (percent of one core, null for none) of each of {@code stages}. */
  public static List<Integer> quotasPerStage(int stages, Integer head, Integer tail) {
    List<Integer> quotas = new ArrayList<>();
    for (int i = 0; i < stages; i++) {
      quotas.add(i == 0 ? head : tail);
    }
    return quotas;
  }

  /** Closes both windows over {@code images} completed images. */
  public Result stop(long images) {
    CpuReport report = cpu.stop(images);
    return new Result(report, energy == null ? null : energy.stop(report), link, images);
  }

  /** Closes both windows after a failed measurement, discarding the readings. */
  public void abandon() {
    try {
      CpuReport report = cpu.stop(1);
      if (energy != null) {
        energy.stop(report);
      }
    } catch (RuntimeException ignored) {
      // the measurement already failed; its error is the one to report
    }
  }

  /**
   * The readings; {@code energy} and {@code link} are null with {@code --energy off}. The link's
   * energy is apart from {@code energy} (which no tier makes include it): never added to it.
   */
  public record Result(CpuReport cpu, EnergyReading energy, LinkEnergy link, long images) {

    /**
     * Adds {@code cpu_ms_per_image}, {@code cpu}, {@code energy} and {@code link_energy} to {@code
     * root}.
     */
    public ObjectNode addTo(ObjectNode root) {
      cpu.writeTo(root);
      if (energy != null) {
        energy.writeTo(root, images);
      }
      if (link != null) {
        link.writeTo(root);
      }
      return root;
    }

    /** {@code run}'s human-readable lines. */
    public String toText() {
      return cpu.toText()
          + (energy == null ? "" : energy.toText(images))
          + (link == null ? "" : link.toText());
    }

    /**
     * The figures as hlog comments ({@link CostComments}); {@code unavailable} where a figure could
     * not be had, no energy keys with {@code --energy off}.
     */
    public Map<String, String> comments() {
      Map<String, String> c = new LinkedHashMap<>();
      c.put(CostComments.IMAGES, Long.toString(images));
      c.put(CostComments.WALL_SECONDS, number(cpu.wallSeconds()));
      for (int i = 0; i < cpu.stages().size(); i++) {
        c.put(
            CostComments.cpuKey(cpu.stages().get(i).subject().stage()), number(cpu.msPerImage(i)));
      }
      c.put(CostComments.cpuKey(CostComments.TOTAL), number(cpu.totalMsPerImage()));
      if (energy != null) {
        c.put(CostComments.ENERGY_LABEL, energy.label().label());
        c.put(CostComments.ENERGY_TIER, energy.tier());
        c.put(CostComments.ENERGY_J_PER_IMAGE, number(energy.joulesPerImage(images)));
        energy
            .parts()
            .forEach((k, v) -> c.put(CostComments.energyPartKey(k), number(v / (double) images)));
        if (energy.reason() != null) {
          c.put(CostComments.ENERGY_REASON, oneLine(energy.reason()));
        }
      }
      if (link != null) {
        c.put(CostComments.ENERGY_LINK_LABEL, link.label().label());
        c.put(CostComments.ENERGY_LINK_J_PER_IMAGE, number(link.joulesPerImage()));
        if (link.reason() != null) {
          c.put(CostComments.ENERGY_LINK_REASON, oneLine(link.reason()));
        }
      }
      return c;
    }

    private static String number(Double value) {
      return value == null ? CostComments.UNAVAILABLE : String.format(Locale.ROOT, "%.6g", value);
    }
  }

  /** {@code reason} on one line, as an hlog comment value must be. */
  private static String oneLine(String reason) {
    return reason.replaceAll("[\\r\\n]+", " ");
  }
}
