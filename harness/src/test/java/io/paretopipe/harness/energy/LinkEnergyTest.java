package io.paretopipe.harness.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.driver.PipelineSpec;
import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.models.Cut;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The link's estimated energy: its arithmetic, and {@code unavailable} (never 0) where none. */
class LinkEnergyTest {

  private static final double PI4_J_PER_BYTE = 3.85e-8;

  @Test
  void pi4CarriesThePowerPiFigureWithItsSourceAndPi5HasNone() {
    DevicePower pi4 = DevicePower.forDevice("pi4-tail");
    assertEquals(PI4_J_PER_BYTE, pi4.linkJoulesPerByte(), 0);
    assertEquals(4.813e-9 * 8, pi4.linkJoulesPerByte(), 1e-10, "4.813 nJ/bit in J/byte");
    assertTrue(pi4.linkSource().contains("PowerPi"), pi4.linkSource());
    assertNull(DevicePower.forDevice("pi5").linkJoulesPerByte());
    assertEquals(List.of("pi4"), DevicePower.withLinkFigure());
  }

  @Test
  void aKnownByteCountCostsItsBytesTimesBothEndsFigures() throws Exception {
    LinkEnergy e = LinkEnergy.estimate(true, 2, List.of("pi4", "pi4-tail"), 100_000);
    assertEquals(EnergyLabel.ESTIMATED, e.label());
    // 100,000 B/image x (3.85e-8 + 3.85e-8) J/B = 0.0077 J/image
    assertEquals(0.0077, e.joulesPerImage(), 1e-12);
    assertEquals(List.of(PI4_J_PER_BYTE, PI4_J_PER_BYTE), e.joulesPerByte());
    ObjectNode root = new ObjectMapper().createObjectNode();
    e.writeTo(root);
    assertEquals("estimated", root.path("link_energy").path("label").asText());
    assertEquals(0.0077, root.path("link_energy").path("j_per_image").asDouble(), 1e-12);
    assertTrue(root.path("link_energy").path("reason").isNull());
    assertTrue(e.toText().contains("0.007700 J/image, estimated"), e.toText());
    assertEquals(0.0, LinkEnergy.estimate(true, 2, List.of("pi4", "pi4"), 0).joulesPerImage(), 0);
  }

  @Test
  void whereNoFigureAppliesTheLinkIsUnavailableWithAReasonNeverZero() throws Exception {
    assertUnavailable(
        LinkEnergy.estimate(false, 2, List.of("pi4", "pi4"), 1000), "transport local");
    assertUnavailable(LinkEnergy.estimate(true, 2, List.of("pi4", "pi5"), 1000), "stage1 is a pi5");
    assertUnavailable(
        LinkEnergy.estimate(true, 2, Arrays.asList(null, "pi4-tail"), 1000),
        "head has no device profile");
    assertUnavailable(LinkEnergy.estimate(true, 2, List.of("pi4", "pi9"), 1000), "pi9");
    assertUnavailable(LinkEnergy.estimate(true, 3, List.of("pi4", "pi4", "pi4"), 1000), "2 links");
    assertThrows(
        IllegalArgumentException.class,
        () -> new LinkEnergy(EnergyLabel.UNAVAILABLE, 0.0, 1000, List.of(), null, "no figure"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new LinkEnergy(EnergyLabel.MEASURED, 1.0, 1000, List.of(), "x", null));
  }

  /**
   * A real mobilenetv2 pipeline at split 8, batch 8: the bytes per image are the cut tensor out
   * plus the 10 logits back, over the batch; with {@code model:pi4} both ends are Pi 4s; over
   * {@code local} it is unavailable.
   */
  @Test
  void aRealPipelinesLinkCountsTheCutTensorOutAndTheOutputBack() throws Exception {
    PipelineSpec spec = PipelineSpec.defaults("mobilenetv2", "8").withBatch(8);
    List<Cut> cuts = spec.model().cutTable(8).cuts();
    assertEquals(10, spec.model().options().classes());
    double bytesPerImage = (cuts.get(8).bytes() + 8 * 10 * 4) / 8.0;
    assertEquals(50_216, bytesPerImage, 0, "64 x 14 x 14 floats out, 10 back");
    try (Pipeline nio = Pipeline.open(spec.withTransport(TransportKind.NIO))) {
      List<String> none = Arrays.asList(null, null);
      LinkEnergy e = PipelineCostMeter.linkEnergy(nio, "model:pi4", none);
      assertEquals(EnergyLabel.ESTIMATED, e.label());
      assertEquals(bytesPerImage, e.bytesPerImage(), 0);
      assertEquals(bytesPerImage * 2 * PI4_J_PER_BYTE, e.joulesPerImage(), 1e-15);
      assertEquals(
          e.joulesPerImage(),
          PipelineCostMeter.linkEnergy(nio, "auto", List.of("pi4", "pi4-tail")).joulesPerImage());
      assertUnavailable(PipelineCostMeter.linkEnergy(nio, "model:pi5", none), "pi5");
      assertUnavailable(PipelineCostMeter.linkEnergy(nio, "auto", none), "no device profile");
    }
    try (Pipeline local = Pipeline.open(spec.withTransport(TransportKind.LOCAL))) {
      assertUnavailable(
          PipelineCostMeter.linkEnergy(local, "model:pi4", Arrays.asList(null, null)),
          "transport local");
    }
  }

  private static void assertUnavailable(LinkEnergy e, String reasonPart) {
    assertEquals(EnergyLabel.UNAVAILABLE, e.label());
    assertNull(e.joulesPerImage(), "unavailable is no number, never 0");
    assertTrue(e.reason().contains(reasonPart), e.reason());
    ObjectNode root = new ObjectMapper().createObjectNode();
    e.writeTo(root);
    assertEquals("unavailable", root.path("link_energy").path("label").asText());
    assertTrue(root.path("link_energy").path("j_per_image").isNull(), root.toString());
    assertTrue(root.path("link_energy").path("reason").asText().contains(reasonPart));
  }
}
