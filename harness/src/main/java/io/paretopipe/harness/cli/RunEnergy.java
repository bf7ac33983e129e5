package io.paretopipe.harness.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.energy.EnergyMeter;
import io.paretopipe.harness.energy.EnergyMeters;
import io.paretopipe.harness.energy.EnergyReading;
import io.paretopipe.harness.energy.RaplEnergyMeter;
import io.paretopipe.harness.metrics.CpuReport;
import io.paretopipe.harness.metrics.PipelineCpuSubjects;
import io.paretopipe.harness.metrics.ProcCpu;
import io.paretopipe.harness.metrics.StageCpuMeter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code run}'s CPU and energy windows around the measured requests: CPU time per stage always,
 * energy as {@code --energy} asks ({@code off}: none).
 */
final class RunEnergy {

  private final StageCpuMeter.Window cpu;
  private final EnergyMeter.Window energy;

  private RunEnergy(StageCpuMeter.Window cpu, EnergyMeter.Window energy) {
    this.cpu = cpu;
    this.energy = energy;
  }

  static RunEnergy open(Pipeline pipeline, String energySpec, PlacementOptions placement)
      throws IOException {
    int stages = pipeline.partition().stageCount();
    List<String> devices = new ArrayList<>();
    List<Integer> quotas = new ArrayList<>();
    for (int i = 0; i < stages; i++) {
      String d = i == 0 ? placement.headDevice() : placement.tailDevice();
      devices.add(d == null || d.isBlank() || d.equals(PlacementOptions.NONE) ? null : d.trim());
      quotas.add(
          i == 0
              ? pipeline.spec().head().cpuQuotaPercent()
              : pipeline.spec().tail().cpuQuotaPercent());
    }
    EnergyMeter meter =
        EnergyMeters.select(
                energySpec, new EnergyMeters.Stages(devices, quotas), RaplEnergyMeter.POWERCAP)
            .orElse(null);
    StageCpuMeter cpuMeter = new StageCpuMeter(ProcCpu.system(), PipelineCpuSubjects.of(pipeline));
    EnergyMeter.Window e = meter == null ? null : meter.start();
    return new RunEnergy(cpuMeter.start(), e);
  }

  /** Closes both windows over {@code images} completed images. */
  Result stop(long images) {
    CpuReport report = cpu.stop(images);
    return new Result(report, energy == null ? null : energy.stop(report), images);
  }

  /**
   * Closes both windows after a failed measurement, discarding the readings, so that a meter's
   * helper process ({@code perf stat}) and temp file end with the run.
   */
  void abandon() {
    try {
      CpuReport report = cpu.stop(1);
      if (energy != null) {
        energy.stop(report);
      }
    } catch (RuntimeException ignored) {
      // the measurement already failed; its error is the one to report
    }
  }

  /** The two readings; {@code energy} is null with {@code --energy off}. */
  record Result(CpuReport cpu, EnergyReading energy, long images) {
    ObjectNode addTo(ObjectNode root) {
      cpu.writeTo(root);
      if (energy != null) {
        energy.writeTo(root, images);
      }
      return root;
    }

    String toText() {
      return cpu.toText() + (energy == null ? "" : energy.toText(images));
    }
  }
}
