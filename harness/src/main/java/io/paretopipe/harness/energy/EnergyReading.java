package io.paretopipe.harness.energy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Energy over one measured window.
 *
 * <p>JSON ({@link #writeTo(ObjectNode, long)}, part of {@code run --json}):
 *
 * <pre>
 * "energy": {"label": "estimated", "tier": "model", "j_per_image": 0.41, "joules": 164.2,
 *            "parts_j_per_image": {"head": 0.03, "stage1": 0.38},
 *            "source": "pi4: 2.1 W idle, 6.41 W load on 4 cores (...)"}
 * "energy": {"label": "unavailable", "tier": "auto", "j_per_image": null,
 *            "reason": "rapl: no /sys/class/powercap ...; perf: ...; model: ..."}
 * </pre>
 *
 * @param label how the figure was obtained
 * @param tier {@code rapl}, {@code perf}, {@code csv}, {@code model}, or what was asked for when
 *     unavailable
 * @param joules energy in the window, null exactly when {@code label} is {@code UNAVAILABLE}
 * @param parts joules by part (RAPL domains such as {@code package-0}, or stages for the model),
 *     possibly empty
 * @param source where the figure comes from (files, profile and its citation)
 * @param reason why it is unavailable (null otherwise)
 */
public record EnergyReading(
    EnergyLabel label,
    String tier,
    Double joules,
    Map<String, Double> parts,
    String source,
    String reason) {

  public EnergyReading {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(tier, "tier");
    parts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    EnergyLabel.checkFigure(label, "joules", joules, reason);
  }

  /** No figure, with the reason. */
  public static EnergyReading unavailable(String tier, String reason) {
    return new EnergyReading(EnergyLabel.UNAVAILABLE, tier, null, Map.of(), null, reason);
  }

  /** Joules per image, or null when unavailable. */
  public Double joulesPerImage(long images) {
    return joules == null ? null : joules / images;
  }

  /** Adds {@code energy} to {@code root}; {@code parts} keep the order they were given in. */
  public void writeTo(ObjectNode root, long images) {
    ObjectNode e = root.putObject("energy");
    e.put("label", label.label());
    e.put("tier", tier);
    if (joules == null) {
      e.putNull("j_per_image");
      e.put("reason", reason);
      return;
    }
    e.put("j_per_image", joules / images);
    e.put("joules", joules);
    ObjectNode p = e.putObject("parts_j_per_image");
    parts.forEach((k, v) -> p.put(k, v / images));
    if (source != null) {
      e.put("source", source);
    }
  }

  /** The human-readable line of {@code run}. */
  public String toText(long images) {
    if (joules == null) {
      return "energy             unavailable (" + tier + "): " + reason + System.lineSeparator();
    }
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "energy             %.4f J/image, %s (%s)",
                joules / images,
                label.label(),
                tier));
    parts.forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %s %.4f", k, v / images)));
    b.append(System.lineSeparator());
    if (source != null) {
      b.append("energy source      ").append(source).append(System.lineSeparator());
    }
    return b.toString();
  }
}
