package io.paretopipe.harness.energy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The energy of moving a pipeline's tensors over its link (head to stage 1 and the result back),
 * estimated from a published energy per byte of network traffic of each end's device ({@link
 * DevicePower#linkJoulesPerByte()}), or {@code unavailable} with the reason (never 0).
 *
 * <p>The estimate: every byte crossing the link is sent by one end and received by the other, so
 * per image it costs {@code bytesPerImage x (J/byte of the head's device + J/byte of stage 1's
 * device)}, with {@code bytesPerImage} the tensor bytes of one request in both directions (the cut
 * tensor out, the model's output back) over the batch; frame headers and TCP/IP overhead are not
 * counted. Worked numbers: mobilenetv2 cut at split 8 (64 x 14 x 14 floats per image), batch 8, Pi
 * 4 at both ends (3.85e-8 J/byte, from PowerPi's 4.813 nJ/bit): 401,408 B out and 8 x 10 x 4 = 320
 * B back is 50,216 B/image, so 50,216 x 2 x 3.85e-8 = 0.00387 J/image.
 *
 * <p>JSON ({@link #writeTo(ObjectNode)}, part of {@code run --json}):
 *
 * <pre>
 * "link_energy": {"label": "estimated", "j_per_image": 0.00387, "bytes_per_image": 50216.0,
 *                 "j_per_byte": [3.85e-8, 3.85e-8], "source": "pi4: ...", "reason": null}
 * "link_energy": {"label": "unavailable", "j_per_image": null, "reason": "transport local: ..."}
 * </pre>
 *
 * @param label {@link EnergyLabel#ESTIMATED} or {@link EnergyLabel#UNAVAILABLE}
 * @param joulesPerImage joules per image, null exactly when unavailable
 * @param bytesPerImage bytes per image crossing the link in both directions (NaN when unknown)
 * @param joulesPerByte the J/byte of each end (head, stage 1); empty when unavailable
 * @param source where the J/byte figures come from (null when unavailable)
 * @param reason why there is no figure (null otherwise)
 */
public record LinkEnergy(
    EnergyLabel label,
    Double joulesPerImage,
    double bytesPerImage,
    List<Double> joulesPerByte,
    String source,
    String reason) {

  public LinkEnergy {
    Objects.requireNonNull(label, "label");
    joulesPerByte = List.copyOf(joulesPerByte);
    if (label != EnergyLabel.ESTIMATED && label != EnergyLabel.UNAVAILABLE) {
      throw new IllegalArgumentException(
          "label " + label.label() + " (expected: estimated or unavailable)");
    }
    EnergyLabel.checkFigure(label, "joulesPerImage", joulesPerImage, reason);
  }

  /** No figure, with the reason. */
  public static LinkEnergy unavailable(String reason) {
    return new LinkEnergy(EnergyLabel.UNAVAILABLE, null, Double.NaN, List.of(), null, reason);
  }

  /**
   * The estimate for a pipeline, or why there is none.
   *
   * @param network whether the stages talk over a network transport ({@code local} has no link)
   * @param stages the pipeline's stage count (head included)
   * @param endDevices the device profile names of the link's ends, head then stage 1, null where
   *     none was given
   * @param bytesPerImage bytes per image crossing the link, both directions
   */
  public static LinkEnergy estimate(
      boolean network, int stages, List<String> endDevices, double bytesPerImage) {
    if (!network) {
      return unavailable(
          "transport local: the stages share one process, no bytes cross a network link");
    }
    if (stages != 2) {
      return unavailable(
          "the estimate covers one link (head to stage1); this pipeline has "
              + (stages - 1)
              + " links");
    }
    List<Double> perByte = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    String[] ends = {"head", "stage1"};
    for (int i = 0; i < 2; i++) {
      String device = i < endDevices.size() ? endDevices.get(i) : null;
      if (device == null) {
        return unavailable(
            ends[i]
                + " has no device profile: name one with --energy model:NAME or place it with"
                + " --head-device / --tail-device NAME (a per-byte network figure exists for: "
                + String.join(", ", DevicePower.withLinkFigure())
                + ")");
      }
      DevicePower power;
      try {
        power = DevicePower.forDevice(device);
      } catch (IllegalArgumentException e) {
        return unavailable(ends[i] + ": " + e.getMessage());
      }
      if (power.linkJoulesPerByte() == null) {
        return unavailable(
            ends[i]
                + " is a "
                + power.name()
                + ", for which "
                + DevicePower.RESOURCE.substring(1)
                + " has no published per-byte network figure (it has one for: "
                + String.join(", ", DevicePower.withLinkFigure())
                + ")");
      }
      perByte.add(power.linkJoulesPerByte());
      if (!sources.contains(power.name() + ": " + power.linkSource())) {
        sources.add(power.name() + ": " + power.linkSource());
      }
    }
    if (!(bytesPerImage >= 0) || Double.isInfinite(bytesPerImage)) {
      throw new IllegalArgumentException(
          "bytesPerImage: " + bytesPerImage + " (expected: finite and >= 0)");
    }
    double joules = bytesPerImage * (perByte.get(0) + perByte.get(1));
    return new LinkEnergy(
        EnergyLabel.ESTIMATED, joules, bytesPerImage, perByte, String.join("; ", sources), null);
  }

  /**
   * Adds {@code link_energy} to {@code root}: label, j_per_image (null when unavailable), reason.
   */
  public void writeTo(ObjectNode root) {
    ObjectNode e = root.putObject("link_energy");
    e.put("label", label.label());
    if (joulesPerImage == null) {
      e.putNull("j_per_image");
      e.put("reason", reason);
      return;
    }
    e.put("j_per_image", joulesPerImage);
    e.put("bytes_per_image", bytesPerImage);
    joulesPerByte.forEach(e.putArray("j_per_byte")::add);
    e.put("source", source);
    e.putNull("reason");
  }

  /** The human-readable line of {@code run}. */
  public String toText() {
    if (joulesPerImage == null) {
      return "link energy        unavailable: " + reason + System.lineSeparator();
    }
    return String.format(
            Locale.ROOT,
            "link energy        %.6f J/image, estimated (%,.0f bytes/image x (%.3g + %.3g) J/byte)",
            joulesPerImage,
            bytesPerImage,
            joulesPerByte.get(0),
            joulesPerByte.get(1))
        + System.lineSeparator()
        + "link energy source "
        + source
        + System.lineSeparator();
  }
}
