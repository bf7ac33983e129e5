package io.paretopipe.harness.energy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code run --energy} and picks the meter.
 *
 * <ul>
 *   <li>{@code auto}: the first tier that works here, in order {@code rapl}, {@code perf}, {@code
 *       model} (when every stage has a device power profile); otherwise {@code unavailable} with
 *       every tier's reason.
 *   <li>{@code rapl}, {@code perf}: that tier, or {@code unavailable} with its reason.
 *   <li>{@code csv:FILE} or {@code csv:FILE@OFFSET} ({@code OFFSET} seconds added to the file's
 *       timestamps): an external meter's samples ({@link CsvPowerMeter}).
 *   <li>{@code model}: each stage's device power profile (from {@code --head-device} / {@code
 *       --tail-device}); {@code model:NAME} uses {@code NAME} for every stage ({@link
 *       DevicePower#builtIn()}).
 *   <li>{@code off}: no energy figure at all (the JSON has no {@code energy} key).
 * </ul>
 */
public final class EnergyMeters {

  /** The valid values, for messages. */
  public static final String VALID =
      "auto, rapl, perf, csv:FILE[@OFFSET_S], model, model:NAME, off";

  private EnergyMeters() {}

  /**
   * What a run's stages are, for the model tier.
   *
   * @param devices device profile name per stage (head first), null where none was given
   * @param cpuQuotaPercents CPU quota per stage in percent of one core, null where none
   */
  public record Stages(List<String> devices, List<Integer> cpuQuotaPercents) {
    public Stages {
      devices = java.util.Collections.unmodifiableList(new ArrayList<>(devices));
      cpuQuotaPercents = java.util.Collections.unmodifiableList(new ArrayList<>(cpuQuotaPercents));
    }
  }

  /**
   * The meter for {@code spec}; empty for {@code off}.
   *
   * @throws IllegalArgumentException for a value that is not one of {@link #VALID}, or an unknown
   *     profile name
   */
  public static Optional<EnergyMeter> select(String spec, Stages stages, Path powercap) {
    String s = spec == null ? "" : spec.trim();
    if (s.equals("off")) {
      return Optional.empty();
    }
    if (s.equals("rapl")) {
      return Optional.of(orUnavailable(new RaplEnergyMeter(powercap)));
    }
    if (s.equals("perf")) {
      return Optional.of(orUnavailable(new PerfEnergyMeter()));
    }
    if (s.startsWith("csv:") && s.length() > 4) {
      String rest = s.substring(4);
      double offset = 0;
      int at = rest.lastIndexOf('@');
      if (at > 0) {
        try {
          offset = Double.parseDouble(rest.substring(at + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "--energy " + s + ": offset '" + rest.substring(at + 1) + "' is not seconds");
        }
        rest = rest.substring(0, at);
      }
      return Optional.of(orUnavailable(new CsvPowerMeter(Path.of(rest), offset)));
    }
    if (s.equals("model") || s.startsWith("model:")) {
      return Optional.of(orUnavailable(model(s, stages)));
    }
    if (s.equals("auto")) {
      List<String> reasons = new ArrayList<>();
      List<EnergyMeter> tiers = new ArrayList<>();
      tiers.add(new RaplEnergyMeter(powercap));
      tiers.add(new PerfEnergyMeter());
      tiers.add(model("model", stages));
      for (EnergyMeter m : tiers) {
        Optional<String> reason = m.unavailableReason();
        if (reason.isEmpty()) {
          return Optional.of(m);
        }
        reasons.add(m.tier() + ": " + reason.get());
      }
      return Optional.of(new Unavailable("auto", String.join("; ", reasons)));
    }
    throw new IllegalArgumentException("--energy '" + spec + "' (expected: " + VALID + ")");
  }

  private static ModelEnergyMeter model(String spec, Stages stages) {
    String fixed = spec.startsWith("model:") ? spec.substring("model:".length()).trim() : null;
    DevicePower fixedPower = fixed == null ? null : DevicePower.forDevice(fixed);
    List<DevicePower> devices = new ArrayList<>();
    List<Double> slowdowns = new ArrayList<>();
    for (int i = 0; i < stages.devices().size(); i++) {
      String device = stages.devices().get(i);
      DevicePower d = fixedPower;
      if (d == null && device != null) {
        try {
          d = DevicePower.forDevice(device);
        } catch (IllegalArgumentException noFigures) {
          d = null;
        }
      }
      devices.add(d);
      Integer quota = stages.cpuQuotaPercents().get(i);
      slowdowns.add(quota == null ? 1.0 : 100.0 / quota);
    }
    return new ModelEnergyMeter(devices, slowdowns);
  }

  private static EnergyMeter orUnavailable(EnergyMeter m) {
    return m.unavailableReason().<EnergyMeter>map(r -> new Unavailable(m.tier(), r)).orElse(m);
  }

  /** A tier that cannot work: every window reports {@code unavailable} with the reason. */
  public static final class Unavailable implements EnergyMeter {
    private final String tier;
    private final String reason;

    public Unavailable(String tier, String reason) {
      this.tier = tier;
      this.reason = reason;
    }

    @Override
    public String tier() {
      return tier;
    }

    @Override
    public Optional<String> unavailableReason() {
      return Optional.of(reason);
    }

    @Override
    public Window start() {
      return cpu -> EnergyReading.unavailable(tier, reason);
    }
  }
}
