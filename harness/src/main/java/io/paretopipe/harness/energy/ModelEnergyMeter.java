package io.paretopipe.harness.energy;

import io.paretopipe.harness.metrics.CpuReport;
import io.paretopipe.harness.metrics.StageCpu;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The model tier: energy estimated from each stage's CPU time and its device's published watts.
 *
 * <p>Per stage, over the window: {@code idleWatts x wallSeconds + activeWattsPerCore x cpuSeconds x
 * slowdown}. The device is on for the whole window (its idle draw), and each CPU-second of work
 * adds one busy core's share of load-minus-idle ({@link DevicePower#activeWattsPerCore()}). The
 * {@code slowdown} turns this host's CPU seconds into the device's: a stage playing a device under
 * a CPU quota of {@code q} percent of one core does in one host CPU-second what takes the device
 * {@code 100 / q} seconds (1 without a quota). Worked numbers: a Pi 4 (2.1 W idle, (6.41 - 2.1) / 4
 * = 1.08 W per busy core) that spends 40 ms of host CPU per image under a 25 % quota, at 20 images
 * per second, costs 2.1 / 20 + 1.08 x 0.040 x 4 = 0.105 + 0.172 = 0.277 J per image.
 *
 * <p>Only CPU work is modelled: no memory, radio or link energy. The figures are labelled {@code
 * estimated} and name the profiles and their sources.
 */
public final class ModelEnergyMeter implements EnergyMeter {

  private final List<DevicePower> devices;
  private final List<Double> slowdowns;

  /**
   * @param devices one per stage, head first; a null entry makes the tier unavailable
   * @param slowdowns one per stage: device seconds per host CPU second ({@code 100 / quota}, 1
   *     without a quota)
   */
  public ModelEnergyMeter(List<DevicePower> devices, List<Double> slowdowns) {
    if (devices.size() != slowdowns.size()) {
      throw new IllegalArgumentException(
          devices.size() + " devices and " + slowdowns.size() + " slowdowns (expected: one each)");
    }
    this.devices = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(devices));
    this.slowdowns = List.copyOf(slowdowns);
  }

  @Override
  public String tier() {
    return "model";
  }

  @Override
  public Optional<String> unavailableReason() {
    for (int i = 0; i < devices.size(); i++) {
      if (devices.get(i) == null) {
        return Optional.of(
            (i == 0 ? "head" : "stage" + i)
                + " has no device power profile: name one with --energy model:NAME (known: "
                + String.join(", ", DevicePower.builtIn().keySet())
                + ") or place it with --head-device / --tail-device NAME");
      }
    }
    return Optional.empty();
  }

  @Override
  public Window start() {
    Optional<String> reason = unavailableReason();
    if (reason.isPresent()) {
      throw new IllegalStateException("model: " + reason.get());
    }
    return this::estimate;
  }

  /** The estimate for a window's CPU report. */
  public EnergyReading estimate(CpuReport cpu) {
    if (cpu.stages().size() != devices.size()) {
      return EnergyReading.unavailable(
          tier(),
          "the CPU report has "
              + cpu.stages().size()
              + " stages but "
              + devices.size()
              + " devices were given");
    }
    Map<String, Double> parts = new LinkedHashMap<>();
    double total = 0;
    StringBuilder source = new StringBuilder("CPU time x device watts: ");
    for (int i = 0; i < devices.size(); i++) {
      StageCpu s = cpu.stages().get(i);
      if (!s.available()) {
        return EnergyReading.unavailable(
            tier(),
            s.subject().stage() + " CPU time unavailable: " + s.subject().unavailableReason());
      }
      DevicePower d = devices.get(i);
      double joules =
          d.idleWatts() * cpu.wallSeconds()
              + d.activeWattsPerCore() * s.totalMillis() / 1000 * slowdowns.get(i);
      parts.put(s.subject().stage(), joules);
      total += joules;
      source.append(
          String.format(
              Locale.ROOT,
              "%s=%s (x%.2f CPU time); ",
              s.subject().stage(),
              d.name(),
              slowdowns.get(i)));
    }
    java.util.Set<String> cited = new java.util.LinkedHashSet<>();
    devices.forEach(d -> cited.add(d.source()));
    source.append(String.join("; ", cited));
    return new EnergyReading(EnergyLabel.ESTIMATED, tier(), total, parts, source.toString(), null);
  }
}
