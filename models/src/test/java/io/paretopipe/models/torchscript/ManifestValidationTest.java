package io.paretopipe.models.torchscript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paretopipe.models.CutTable;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.ModelDefinition;
import io.paretopipe.models.StageModel;
import io.paretopipe.models.StageRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validation of TorchScript model directories, without Python: a synthetic but well-formed
 * directory (piece files of random bytes, manifest with their real SHA-256s and digest) is
 * accepted, and each kind of damage gets a {@link ModelDirectoryException} that names the file and
 * the problem. The digest here is computed independently from the documented text, so the test also
 * pins the digest format.
 */
class ManifestValidationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path root;

  /**
   * prefix stem 3x8x8 -> 4x4x4, units a: 4x4x4 -> 4x4x4, b: 4x4x4 -> 8x2x2, suffix head: 8x2x2 ->
   * 5.
   */
  private Path validDirectory(String name) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    ObjectNode m = JSON.createObjectNode();
    m.put("format", "paretopipe-torchscript-units");
    m.put("format_version", 1);
    m.put("model", "synthetic");
    m.put("source", "test");
    m.put("torch", "1.13.0");
    m.put("dtype", "float32");
    m.set("input", shape(3, 8, 8));
    m.set("output", shape(5));
    m.put("classes", 5);
    m.put("seed", 0);
    m.putNull("weights");
    m.set(
        "prefix",
        piece(dir, "prefix", "stem", "prefix-stem.pt", shape(3, 8, 8), shape(4, 4, 4), 100, 1000));
    ArrayNode units = m.putArray("units");
    units.add(piece(dir, "unit", "a", "unit-00-a.pt", shape(4, 4, 4), shape(4, 4, 4), 200, 2000));
    units.add(piece(dir, "unit", "b", "unit-01-b.pt", shape(4, 4, 4), shape(8, 2, 2), 300, 3000));
    m.set(
        "suffix", piece(dir, "suffix", "head", "suffix-head.pt", shape(8, 2, 2), shape(5), 45, 40));
    m.put("params", 645);
    m.put("macs", 6040);
    ArrayNode cuts = m.putArray("cuts");
    cuts.add(cut(0, "(prefix)", shape(4, 4, 4), 256));
    cuts.add(cut(1, "a", shape(4, 4, 4), 256));
    cuts.add(cut(2, "b", shape(8, 2, 2), 128));
    m.put("digest", digest(m));
    write(dir, m);
    return dir;
  }

  private static ArrayNode shape(long... dims) {
    ArrayNode a = JSON.createArrayNode();
    for (long d : dims) {
      a.add(d);
    }
    return a;
  }

  private static ObjectNode piece(
      Path dir,
      String role,
      String name,
      String file,
      ArrayNode in,
      ArrayNode out,
      long params,
      long macs)
      throws IOException {
    byte[] bytes = new byte[1000 + name.length()];
    new SplittableRandom(name.hashCode()).nextBytes(bytes);
    Files.write(dir.resolve(file), bytes);
    ObjectNode p = JSON.createObjectNode();
    p.put("role", role);
    p.put("name", name);
    p.put("file", file);
    p.put("sha256", sha256(bytes));
    p.put("file_bytes", bytes.length);
    p.set("input_shape", in);
    p.set("output_shape", out);
    long size = 4;
    for (int i = 0; i < out.size(); i++) {
      size *= out.get(i).longValue();
    }
    p.put("output_bytes_per_image", size);
    p.put("params", params);
    p.put("macs", macs);
    return p;
  }

  private static ObjectNode cut(int split, String unit, ArrayNode shape, long bytes) {
    ObjectNode c = JSON.createObjectNode();
    c.put("split", split);
    c.put("unit", unit);
    c.set("shape", shape);
    c.put("bytes_per_image", bytes);
    return c;
  }

  /** The documented digest text, written out independently of the main code. */
  private static String digest(ObjectNode m) {
    StringBuilder text = new StringBuilder("paretopipe-torchscript-units 1\n");
    text.append("model ").append(m.get("model").textValue()).append('\n');
    text.append("dtype float32\n");
    text.append("input ").append(chw(m.get("input"))).append('\n');
    List<com.fasterxml.jackson.databind.JsonNode> pieces = new java.util.ArrayList<>();
    if (!m.get("prefix").isNull()) {
      pieces.add(m.get("prefix"));
    }
    m.get("units").forEach(pieces::add);
    pieces.add(m.get("suffix"));
    for (var p : pieces) {
      text.append(
              String.join(
                  " ",
                  p.get("role").textValue(),
                  p.get("name").textValue(),
                  p.get("file").textValue(),
                  p.get("sha256").textValue(),
                  chw(p.get("input_shape")),
                  chw(p.get("output_shape"))))
          .append('\n');
    }
    return sha256(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String chw(com.fasterxml.jackson.databind.JsonNode shape) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < shape.size(); i++) {
      s.append(i == 0 ? "" : "x").append(shape.get(i).longValue());
    }
    return s.toString();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static void write(Path dir, ObjectNode manifest) throws IOException {
    JSON.writerWithDefaultPrettyPrinter()
        .writeValue(dir.resolve("manifest.json").toFile(), manifest);
  }

  private static ObjectNode readManifest(Path dir) throws IOException {
    return (ObjectNode) JSON.readTree(dir.resolve("manifest.json").toFile());
  }

  /**
   * Edits the manifest; with {@code redigest} the digest is recomputed so only the edit itself is
   * wrong.
   */
  private static void edit(Path dir, boolean redigest, Consumer<ObjectNode> change)
      throws IOException {
    ObjectNode m = readManifest(dir);
    change.accept(m);
    if (redigest) {
      m.put("digest", digest(m));
    }
    write(dir, m);
  }

  private static ModelDirectoryException rejected(
      Path expectedFile, Executable action, String... fragments) {
    ModelDirectoryException e = assertThrows(ModelDirectoryException.class, action);
    assertEquals(expectedFile, e.file(), e.getMessage());
    assertTrue(e.getMessage().contains(expectedFile.getFileName().toString()), e.getMessage());
    for (String fragment : fragments) {
      assertTrue(
          e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }
    return e;
  }

  @Test
  void aWellFormedDirectoryDefinesAModelWithItsShapesAndCosts() throws IOException {
    Path dir = validDirectory("ok");
    ModelDefinition d = ModelCatalog.define(dir.toString());
    assertEquals(dir.toAbsolutePath().normalize().toString(), d.name());
    assertEquals(2, d.unitCount());
    assertEquals(5, d.options().classes());
    CutTable table = CutTable.of(d, 2);
    assertEquals(645, table.params());
    assertArrayEquals(new long[] {8, 2, 2}, table.cuts().get(2).shape());
    assertEquals(2 * 128, table.cuts().get(2).bytes());
    assertEquals(2 * (1000 + 2000), table.cuts().get(1).macs());
    assertEquals(readManifest(dir).get("digest").textValue(), ModelCatalog.digest(dir.toString()));
  }

  @Test
  void missingFileIsNamed() throws IOException {
    Path dir = validDirectory("missing");
    Path file = dir.resolve("unit-01-b.pt");
    Files.delete(file);
    rejected(
        file,
        () -> ModelCatalog.define(dir.toString()),
        "unit b: file unit-01-b.pt does not exist");
  }

  @Test
  void wrongChecksumIsNamedWithBothHashes() throws IOException {
    Path dir = validDirectory("checksum");
    Path file = dir.resolve("unit-00-a.pt");
    byte[] bytes = Files.readAllBytes(file);
    String expected = sha256(bytes);
    bytes[10] ^= 1;
    Files.write(file, bytes);
    rejected(
        file,
        () -> TorchScriptArchitecture.open(dir),
        "manifest.json: unit a: file unit-00-a.pt: sha256 mismatch (expected "
            + expected
            + ", found "
            + sha256(bytes)
            + ")");
  }

  @Test
  void aDirectoryIsVerifiedOncePerManifestDigestAndEachStageChecksItsOwnFiles() throws IOException {
    Path dir = validDirectory("blueprint");
    ModelBlueprint first = ModelCatalog.blueprint(dir.toString());
    assertSame(first, ModelCatalog.blueprint(dir.toString()), "an unchanged export is read once");
    ModelDefinition a = first.instantiate();
    ModelDefinition b = first.instantiate();
    assertNotSame(a.units().get(0).block(), b.units().get(0).block(), "fresh blocks per stage");
    // re-exported (a new manifest digest): verified and blueprinted afresh
    edit(dir, true, m -> m.put("model", "synthetic-again"));
    ModelBlueprint second = ModelCatalog.blueprint(dir.toString());
    assertNotSame(first, second);
    assertEquals(readManifest(dir).get("digest").textValue(), second.digest());
    // a piece file damaged after the blueprint is caught when a stage loads it
    Path file = dir.resolve("unit-00-a.pt");
    byte[] bytes = Files.readAllBytes(file);
    bytes[10] ^= 1;
    Files.write(file, bytes);
    ModelDefinition damaged = second.instantiate();
    rejected(
        file,
        () -> StageModel.load(damaged, new StageRange(1, 0, 2, false, true)),
        "sha256 mismatch");
  }

  @Test
  void truncatedFileIsNamed() throws IOException {
    Path dir = validDirectory("truncated");
    Path file = dir.resolve("suffix-head.pt");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, 10));
    rejected(
        file,
        () -> ModelCatalog.define(dir.toString()),
        "suffix head: file suffix-head.pt has 10 bytes");
  }

  @Test
  void shapesThatDoNotChainAreNamed() throws IOException {
    Path dir = validDirectory("chain");
    edit(dir, true, m -> ((ObjectNode) m.get("units").get(1)).set("input_shape", shape(4, 8, 8)));
    rejected(
        dir.resolve("manifest.json"),
        () -> ModelCatalog.define(dir.toString()),
        "unit b takes 4x8x8 but the output of unit a is 4x4x4: the shapes do not chain");
  }

  @Test
  void suffixThatDoesNotProduceTheOutputIsNamed() throws IOException {
    Path dir = validDirectory("output");
    edit(dir, true, m -> m.set("output", shape(6)));
    rejected(
        dir.resolve("manifest.json"),
        () -> ModelCatalog.define(dir.toString()),
        "field 'output' is 6 but the suffix outputs 5");
  }

  @Test
  void malformedJsonIsNamedWithItsPosition() throws IOException {
    Path dir = validDirectory("malformed");
    String text = Files.readString(dir.resolve("manifest.json"));
    Files.writeString(dir.resolve("manifest.json"), text.substring(0, text.length() / 2));
    rejected(
        dir.resolve("manifest.json"),
        () -> ModelCatalog.define(dir.toString()),
        "malformed JSON at line");
    Files.writeString(dir.resolve("manifest.json"), "");
    rejected(
        dir.resolve("manifest.json"), () -> ModelCatalog.define(dir.toString()), "malformed JSON");
    Files.writeString(dir.resolve("manifest.json"), "[1, 2]");
    rejected(
        dir.resolve("manifest.json"),
        () -> ModelCatalog.define(dir.toString()),
        "the top level must be a JSON object");
  }

  @Test
  void missingAndMistypedFieldsAreNamedByTheirPath() throws IOException {
    Path dir = validDirectory("fields");
    edit(dir, false, m -> ((ObjectNode) m.get("units").get(1)).remove("sha256"));
    rejected(
        dir.resolve("manifest.json"),
        () -> ModelCatalog.define(dir.toString()),
        "field 'units[1].sha256' is missing");
    Path other = validDirectory("types");
    edit(other, false, m -> m.put("input", "3x8x8"));
    rejected(
        other.resolve("manifest.json"),
        () -> ModelCatalog.define(other.toString()),
        "field 'input' must be a shape");
  }

  @Test
  void editedManifestFailsTheDigest() throws IOException {
    Path dir = validDirectory("digest");
    edit(dir, false, m -> m.put("model", "renamed"));
    rejected(
        dir.resolve("manifest.json"),
        () -> ModelCatalog.digest(dir.toString()),
        "digest mismatch",
        "edited after export");
  }

  @Test
  void unknownFormatVersionIsRejected() throws IOException {
    Path dir = validDirectory("version");
    edit(dir, true, m -> m.put("format_version", 2));
    rejected(
        dir.resolve("manifest.json"),
        () -> ModelCatalog.define(dir.toString()),
        "format_version 2 is not supported (this ParetoPipe reads version 1)");
  }

  @Test
  void fileNamesOutsideTheDirectoryAreRejected() throws IOException {
    Path dir = validDirectory("traversal");
    edit(dir, true, m -> ((ObjectNode) m.get("units").get(0)).put("file", "../unit-00-a.pt"));
    rejected(
        dir.resolve("manifest.json"),
        () -> ModelCatalog.define(dir.toString()),
        "unit a: file '../unit-00-a.pt' is not a plain file name");
  }

  @Test
  void duplicateNamesAndInconsistentCutsAreRejected() throws IOException {
    Path dir = validDirectory("duplicate");
    edit(dir, true, m -> ((ObjectNode) m.get("units").get(1)).put("name", "a"));
    rejected(
        dir.resolve("manifest.json"),
        () -> ModelCatalog.define(dir.toString()),
        "unit name 'a' (units[1]) is used twice");
    Path cuts = validDirectory("cuts");
    edit(cuts, true, m -> ((ObjectNode) m.get("cuts").get(2)).put("bytes_per_image", 64));
    rejected(
        cuts.resolve("manifest.json"),
        () -> ModelCatalog.define(cuts.toString()),
        "cuts[2] says 64 bytes per image but 8x2x2 is 128 float32 bytes");
  }

  @Test
  void aDirectoryWithoutManifestOrThatDoesNotExistIsExplained() throws IOException {
    Path empty = Files.createDirectories(root.resolve("empty"));
    rejected(
        empty.resolve("manifest.json"),
        () -> ModelCatalog.define(empty.toString()),
        "does not exist",
        "is not a model directory written by models/export/export_units.py");
    Path absent = root.resolve("absent");
    rejected(
        absent,
        () -> ModelCatalog.define(absent.toString()),
        "does not exist or is not a directory");
  }

  @Test
  void aFileThatIsNotTorchScriptFailsWhenItsStageLoads() throws IOException {
    Path dir = validDirectory("garbage");
    ModelDefinition definition = ModelCatalog.define(dir.toString());
    rejected(
        dir.resolve("prefix-stem.pt"),
        () -> StageModel.load(definition, new StageRange(0, 0, 1, true, false)),
        "manifest.json: prefix stem: file prefix-stem.pt is not a TorchScript module this PyTorch can load");
    assertTrue(!definition.prefix().orElseThrow().block().isInitialized());
  }
}
