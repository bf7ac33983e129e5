package io.paretopipe.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every catalog model against the torchvision facts in {@code
 * src/test/resources/reference/torchvision-models.json} (computed with torchvision 0.14.1, 10
 * classes): total and per-unit parameters, per-unit MACs, unit names and roles, and the tensor
 * shape and bytes at every cut.
 */
class CatalogReferenceTest {

  static JsonNode reference() throws IOException {
    try (InputStream in =
        CatalogReferenceTest.class.getResourceAsStream("/reference/torchvision-models.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static Stream<String> models() {
    return ModelCatalog.names().stream();
  }

  @ParameterizedTest
  @MethodSource("models")
  void unitsEqualTorchvision(String name) throws IOException {
    JsonNode ref = reference().get(name);
    ModelDefinition model = ModelCatalog.define(name);
    List<UnitCost> costs = CostWalker.costs(model);
    JsonNode refUnits = ref.get("units");
    assertEquals(refUnits.size(), costs.size(), "pieces of " + name);
    long params = 0;
    long macs = 0;
    for (int i = 0; i < costs.size(); i++) {
      JsonNode r = refUnits.get(i);
      UnitCost c = costs.get(i);
      String where = name + " piece " + i + " (" + r.get("name").asText() + ")";
      assertEquals(r.get("name").asText(), c.name(), where);
      assertEquals(r.get("role").asText(), c.role(), where);
      assertEquals(r.get("params").asLong(), c.params(), where + " params");
      assertEquals(r.get("macs").asLong(), c.macs(), where + " MACs");
      assertArrayEquals(longs(r.get("out_shape")), c.outputShape(), where + " output shape");
      params += c.params();
      macs += c.macs();
    }
    assertEquals(ref.get("params").asLong(), params, name + " total params");
    assertEquals(ref.get("macs").asLong(), macs, name + " total MACs");
    assertArrayEquals(
        ref.get("input").traverse(new ObjectMapper()).readValueAs(int[].class),
        model.options().input());
  }

  @ParameterizedTest
  @MethodSource("models")
  void cutsEqualReferenceTable(String name) throws IOException {
    JsonNode ref = reference().get(name);
    CutTable table = CutTable.of(ModelCatalog.define(name), 8);
    assertEquals(ref.get("params").asLong(), table.params());
    JsonNode refCuts = ref.get("cuts");
    assertEquals(refCuts.size(), table.cuts().size(), "valid splits of " + name);
    for (int k = 0; k < refCuts.size(); k++) {
      JsonNode r = refCuts.get(k);
      Cut c = table.cuts().get(k);
      assertEquals(r.get("split").asInt(), c.split());
      assertArrayEquals(longs(r.get("shape")), c.shape(), name + " split " + k);
      assertEquals(
          8 * r.get("bytes_per_image").asLong(), c.bytes(), name + " split " + k + " bytes");
    }
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }
}
