package io.paretopipe.models.torchscript;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.models.Shapes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code manifest.json} of a TorchScript model directory, read and validated (format in {@code
 * docs/BYO_MODELS.md}). Immutable and thread-safe.
 *
 * <p>{@link #read(Path)} checks everything the manifest says about itself: the format and its
 * version, every required field and its type, plain and unique file names, unique piece names, that
 * the shapes chain (the prefix takes the input, each piece takes what the one before it produces,
 * the suffix produces the output), that the cut table and the byte counts agree with the pieces,
 * and that the recorded digest is the digest of its contents. {@link #verifyFiles()} additionally
 * checks that every piece's file exists with the recorded size and SHA-256. Every problem is a
 * {@link ModelDirectoryException} naming the file and the problem.
 */
public final class TorchScriptManifest {

  /** The manifest's file name inside a model directory. */
  public static final String FILE_NAME = "manifest.json";

  /** Value of the manifest's {@code format} field. */
  public static final String FORMAT = "paretopipe-torchscript-units";

  /** The only {@code format_version} this reader understands. */
  public static final int FORMAT_VERSION = 1;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern NAME = Pattern.compile("[^\\s/\\\\]{1,100}");
  private static final Pattern FILE = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final String EXPORTER = "models/export/export_units.py";

  private final Path directory;
  private final Path manifestFile;
  private final String model;
  private final String source;
  private final String torchVersion;
  private final int[] input;
  private final long[] output;
  private final OptionalInt classes;
  private final TorchScriptPiece prefix;
  private final List<TorchScriptPiece> units;
  private final TorchScriptPiece suffix;
  private final Reference reference;
  private final String digest;

  private TorchScriptManifest(Parser p) {
    this.directory = p.directory;
    this.manifestFile = p.manifestFile;
    this.model = p.model;
    this.source = p.source;
    this.torchVersion = p.torchVersion;
    this.input = p.input;
    this.output = p.output;
    this.classes = p.classes;
    this.prefix = p.prefix;
    this.units = List.copyOf(p.units);
    this.suffix = p.suffix;
    this.reference = p.reference;
    this.digest = p.digest;
  }

  /**
   * Reads and validates {@code directory/manifest.json}; does not read the piece files (see {@link
   * #verifyFiles()}).
   *
   * @throws ModelDirectoryException if the directory or manifest is missing, unreadable, malformed
   *     or inconsistent, naming the file and the problem
   */
  public static TorchScriptManifest read(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    Path manifest = dir.resolve(FILE_NAME);
    if (!Files.isDirectory(dir)) {
      throw new ModelDirectoryException(
          dir,
          "model directory "
              + dir
              + " does not exist or is not a directory"
              + " (write one with "
              + EXPORTER
              + ")");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(manifest);
    } catch (NoSuchFileException e) {
      throw new ModelDirectoryException(
          manifest,
          manifest
              + " does not exist: "
              + dir
              + " is not a model directory written by "
              + EXPORTER);
    } catch (IOException e) {
      throw new ModelDirectoryException(manifest, manifest + ": cannot be read (" + e + ")", e);
    }
    JsonNode root;
    try {
      ObjectMapper mapper = new ObjectMapper();
      mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      root = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ModelDirectoryException(
          manifest, manifest + ": malformed JSON" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ModelDirectoryException(manifest, manifest + ": cannot be read (" + e + ")", e);
    }
    if (root == null || root.isMissingNode()) {
      throw new ModelDirectoryException(manifest, manifest + ": malformed JSON: the file is empty");
    }
    return new TorchScriptManifest(new Parser(dir, manifest, root).parse());
  }

  /**
   * Checks that every piece's file exists, has the recorded size and the recorded SHA-256. Reads
   * every file (about 0.1 s per 50 MB); {@code ModelCatalog.blueprint} does it once per manifest
   * digest, and each stage again for the files it loads.
   *
   * @throws ModelDirectoryException naming the first piece and file that do not match
   */
  public void verifyFiles() {
    for (TorchScriptPiece piece : pieces()) {
      verifyFile(piece);
    }
  }

  /**
   * Checks one piece's file: present, recorded size, recorded SHA-256.
   *
   * @return the file's absolute path
   * @throws ModelDirectoryException naming the piece, the file and the problem
   */
  public Path verifyFile(TorchScriptPiece piece) {
    Path file = directory.resolve(piece.file());
    String actual;
    long size;
    try {
      size = Files.size(file);
      actual = size == piece.fileBytes() ? sha256(file) : null;
    } catch (NoSuchFileException e) {
      throw problem(
          file,
          piece.label()
              + ": file "
              + piece.file()
              + " does not exist in "
              + directory
              + " (copy the whole directory, or re-export the model with "
              + EXPORTER
              + ")");
    } catch (IOException e) {
      throw problem(file, piece.label() + ": file " + piece.file() + " cannot be read (" + e + ")");
    }
    if (actual == null) {
      throw problem(
          file,
          piece.label()
              + ": file "
              + piece.file()
              + " has "
              + size
              + " bytes but the manifest"
              + " records "
              + piece.fileBytes()
              + " (the file was truncated, replaced or damaged after export)");
    }
    if (!actual.equals(piece.sha256())) {
      throw problem(
          file,
          piece.label()
              + ": file "
              + piece.file()
              + ": sha256 mismatch (expected "
              + piece.sha256()
              + ", found "
              + actual
              + "): the file was changed or damaged after export");
    }
    return file;
  }

  /** Lower-case hex SHA-256 of a file's bytes. */
  public static String sha256(Path file) throws IOException {
    return hashBytes(file);
  }

  private static String hashBytes(Path file) throws IOException {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /**
   * The text the model digest is the SHA-256 of (UTF-8, one {@code \n}-terminated line each):
   * {@code paretopipe-torchscript-units 1}, {@code model NAME}, {@code dtype float32}, {@code input
   * CxHxW}, then per piece in execution order {@code ROLE NAME FILE SHA256 INPUT OUTPUT} with
   * shapes written like {@code 64x56x56}.
   */
  static String digestText(String model, int[] input, List<TorchScriptPiece> pieces) {
    StringBuilder text = new StringBuilder();
    text.append(FORMAT).append(' ').append(FORMAT_VERSION).append('\n');
    text.append("model ").append(model).append('\n');
    text.append("dtype float32\n");
    text.append("input ").append(Shapes.chw(input)).append('\n');
    for (TorchScriptPiece p : pieces) {
      text.append(p.role())
          .append(' ')
          .append(p.name())
          .append(' ')
          .append(p.file())
          .append(' ')
          .append(p.sha256())
          .append(' ')
          .append(Shapes.chw(p.inputShape()))
          .append(' ')
          .append(Shapes.chw(p.outputShape()))
          .append('\n');
    }
    return text.toString();
  }

  static String sha256Hex(String text) {
    return HexFormat.of().formatHex(newSha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private ModelDirectoryException problem(Path file, String what) {
    return new ModelDirectoryException(file, manifestFile + ": " + what);
  }

  /** The directory, absolute and normalized. */
  public Path directory() {
    return directory;
  }

  /** The manifest file, absolute. */
  public Path manifestFile() {
    return manifestFile;
  }

  /**
   * The model's name as exported, e.g. {@code resnet18} (not unique: several directories may share
   * it).
   */
  public String model() {
    return model;
  }

  /**
   * Where it came from, e.g. {@code catalog:resnet18} or {@code module:net.py:split}; "" if not
   * recorded.
   */
  public String source() {
    return source;
  }

  /** The torch version that exported it; "" if not recorded. */
  public String torchVersion() {
    return torchVersion;
  }

  /** The per-image input {C, H, W} it was exported for. */
  public int[] input() {
    return input.clone();
  }

  /** The per-image output shape of the whole model. */
  public long[] output() {
    return output.clone();
  }

  /** The number of classes when the output is a vector; empty otherwise. */
  public OptionalInt classes() {
    return classes;
  }

  public Optional<TorchScriptPiece> prefix() {
    return Optional.ofNullable(prefix);
  }

  /** The split units in order; valid splits are {@code 0..units().size()}. */
  public List<TorchScriptPiece> units() {
    return units;
  }

  public TorchScriptPiece suffix() {
    return suffix;
  }

  /** Prefix (if any), units and suffix in execution order. */
  public List<TorchScriptPiece> pieces() {
    List<TorchScriptPiece> all = new ArrayList<>(units.size() + 2);
    if (prefix != null) {
      all.add(prefix);
    }
    all.addAll(units);
    all.add(suffix);
    return all;
  }

  /** The reference input and output written with {@code --reference N}, if any. */
  public Optional<Reference> reference() {
    return Optional.ofNullable(reference);
  }

  /**
   * The model digest: lower-case hex SHA-256 of {@link #digestText}, identical for two directories
   * exactly when they hold the same pieces (same files, names, order and shapes).
   */
  public String digest() {
    return digest;
  }

  @Override
  public String toString() {
    return model
        + " ("
        + directory
        + ", "
        + units.size()
        + " units, digest "
        + digest.substring(0, 12)
        + ")";
  }

  /**
   * The reference data written by {@code export_units.py --reference N}: {@code N} seeded
   * standard-normal images and the eager PyTorch model's output for them, raw little-endian
   * float32, row-major.
   *
   * @param inputFile the input file, absolute
   * @param inputShape {@code N x C x H x W}
   * @param inputSha256 SHA-256 of the input file
   * @param outputFile the output file, absolute
   * @param outputShape {@code N x output}
   * @param outputSha256 SHA-256 of the output file
   */
  public record Reference(
      Path inputFile,
      long[] inputShape,
      String inputSha256,
      Path outputFile,
      long[] outputShape,
      String outputSha256) {

    public Reference {
      inputShape = inputShape.clone();
      outputShape = outputShape.clone();
    }

    @Override
    public long[] inputShape() {
      return inputShape.clone();
    }

    @Override
    public long[] outputShape() {
      return outputShape.clone();
    }

    /** The input values, after checking the file's size and SHA-256. */
    public float[] readInput() {
      return readFloats(inputFile, inputShape, inputSha256);
    }

    /** The expected output values, after checking the file's size and SHA-256. */
    public float[] readOutput() {
      return readFloats(outputFile, outputShape, outputSha256);
    }

    private static float[] readFloats(Path file, long[] shape, String sha256) {
      long count = 1;
      for (long d : shape) {
        count *= d;
      }
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new ModelDirectoryException(
            file, file + ": reference file cannot be read (" + e + ")", e);
      }
      if (bytes.length != count * 4) {
        throw new ModelDirectoryException(
            file,
            file
                + ": reference file has "
                + bytes.length
                + " bytes but shape "
                + Shapes.chw(shape)
                + " needs "
                + count * 4);
      }
      String actual = HexFormat.of().formatHex(newSha256().digest(bytes));
      if (!actual.equals(sha256)) {
        throw new ModelDirectoryException(
            file,
            file
                + ": reference file: sha256 mismatch (expected "
                + sha256
                + ", found "
                + actual
                + ")");
      }
      float[] values = new float[(int) count];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
      return values;
    }
  }

  /** One parse of one manifest; collects fields and reports problems with a JSON path. */
  private static final class Parser {
    private final Path directory;
    private final Path manifestFile;
    private final JsonNode root;
    private final Set<String> names = new HashSet<>();
    private final Set<String> files = new HashSet<>();
    String model;
    String source;
    String torchVersion;
    int[] input;
    long[] output;
    OptionalInt classes;
    TorchScriptPiece prefix;
    List<TorchScriptPiece> units = new ArrayList<>();
    TorchScriptPiece suffix;
    Reference reference;
    String digest;

    Parser(Path directory, Path manifestFile, JsonNode root) {
      this.directory = directory;
      this.manifestFile = manifestFile;
      this.root = root;
    }

    Parser parse() {
      if (!root.isObject()) {
        throw fail("the top level must be a JSON object, found " + kind(root));
      }
      String format = text(root, "format");
      if (!FORMAT.equals(format)) {
        throw fail(
            "field 'format' is '"
                + format
                + "' (expected: '"
                + FORMAT
                + "'): not a model directory"
                + " written by "
                + EXPORTER);
      }
      long version = integer(root, "format_version");
      if (version != FORMAT_VERSION) {
        throw fail(
            "format_version "
                + version
                + " is not supported (this ParetoPipe reads version "
                + FORMAT_VERSION
                + "): re-export the model with this version's "
                + EXPORTER);
      }
      model = text(root, "model");
      if (!NAME.matcher(model).matches()) {
        throw fail(
            "field 'model' is '"
                + model
                + "' (expected: 1 to 100 characters without whitespace,"
                + " '/' or '\\')");
      }
      source = optionalText(root, "source");
      torchVersion = optionalText(root, "torch");
      String dtype = text(root, "dtype");
      if (!"float32".equals(dtype)) {
        throw fail(
            "field 'dtype' is '"
                + dtype
                + "' (expected: 'float32', the only type ParetoPipe runs)");
      }
      long[] in = shape(root, "input", "input");
      if (in.length != 3 || Arrays.stream(in).anyMatch(d -> d > Integer.MAX_VALUE)) {
        throw fail("field 'input' is " + Arrays.toString(in) + " (expected: [C, H, W])");
      }
      input = new int[] {(int) in[0], (int) in[1], (int) in[2]};
      output = shape(root, "output", "output");
      JsonNode prefixNode = field(root, "prefix", "prefix");
      prefix = prefixNode.isNull() ? null : piece(prefixNode, "prefix", "prefix");
      JsonNode unitsNode = field(root, "units", "units");
      if (!unitsNode.isArray() || unitsNode.isEmpty()) {
        throw fail("field 'units' must be a non-empty array of pieces, found " + kind(unitsNode));
      }
      for (int i = 0; i < unitsNode.size(); i++) {
        units.add(piece(unitsNode.get(i), "unit", "units[" + i + "]"));
      }
      suffix = piece(field(root, "suffix", "suffix"), "suffix", "suffix");
      checkChain();
      checkClasses();
      checkCuts();
      checkTotals();
      parseReference();
      digest = text(root, "digest");
      if (!SHA256.matcher(digest).matches()) {
        throw fail("field 'digest' is '" + digest + "' (expected: 64 lower-case hex digits)");
      }
      List<TorchScriptPiece> pieces = new ArrayList<>();
      if (prefix != null) {
        pieces.add(prefix);
      }
      pieces.addAll(units);
      pieces.add(suffix);
      String computed = sha256Hex(digestText(model, input, pieces));
      if (!computed.equals(digest)) {
        throw fail(
            "digest mismatch (recorded "
                + digest
                + ", the manifest's contents give "
                + computed
                + "): the manifest was edited after export; re-export the model");
      }
      return this;
    }

    private TorchScriptPiece piece(JsonNode node, String role, String where) {
      if (!node.isObject()) {
        throw fail(
            "field '" + where + "' must be an object describing a piece, found " + kind(node));
      }
      String recordedRole = text(node, "role", where + ".role");
      if (!recordedRole.equals(role)) {
        throw fail(
            "field '" + where + ".role' is '" + recordedRole + "' (expected: '" + role + "')");
      }
      String name = text(node, "name", where + ".name");
      if (!NAME.matcher(name).matches()) {
        throw fail(
            "field '"
                + where
                + ".name' is '"
                + name
                + "' (expected: 1 to 100 characters without whitespace, '/' or '\\')");
      }
      if (!names.add(name)) {
        throw fail(
            role
                + " name '"
                + name
                + "' ("
                + where
                + ") is used twice: every piece needs its own name");
      }
      String label = role + " " + name;
      String file = text(node, "file", where + ".file");
      if (!FILE.matcher(file).matches()
          || file.equals(".")
          || file.equals("..")
          || file.equals(FILE_NAME)) {
        throw fail(
            label
                + ": file '"
                + file
                + "' is not a plain file name inside the directory"
                + " (expected: letters, digits, '.', '_' and '-' only)");
      }
      if (!files.add(file)) {
        throw fail(label + ": file '" + file + "' is used by another piece too");
      }
      String sha = text(node, "sha256", where + ".sha256");
      if (!SHA256.matcher(sha).matches()) {
        throw fail(
            label + ": file " + file + ": sha256 '" + sha + "' is not 64 lower-case hex digits");
      }
      long fileBytes = integer(node, "file_bytes", where + ".file_bytes");
      long[] inputShape = shape(node, "input_shape", where + ".input_shape");
      long[] outputShape = shape(node, "output_shape", where + ".output_shape");
      long params = integer(node, "params", where + ".params");
      JsonNode macsNode = field(node, "macs", where + ".macs");
      long macs = macsNode.isNull() ? -1 : integer(node, "macs", where + ".macs");
      TorchScriptPiece piece =
          new TorchScriptPiece(
              role, name, file, sha, fileBytes, inputShape, outputShape, params, macs);
      JsonNode bytes = node.get("output_bytes_per_image");
      if (bytes != null
          && !(bytes.canConvertToLong()
              && bytes.isIntegralNumber()
              && bytes.longValue() == piece.outputBytesPerImage())) {
        throw fail(
            label
                + ": output_bytes_per_image is "
                + bytes
                + " but output "
                + Shapes.chw(outputShape)
                + " is "
                + piece.outputBytesPerImage()
                + " float32 bytes");
      }
      return piece;
    }

    private void checkChain() {
      long[] shape = {input[0], input[1], input[2]};
      String from = "the model input";
      List<TorchScriptPiece> all = new ArrayList<>();
      if (prefix != null) {
        all.add(prefix);
      }
      all.addAll(units);
      all.add(suffix);
      for (TorchScriptPiece p : all) {
        if (!Arrays.equals(p.inputShape(), shape)) {
          throw fail(
              p.label()
                  + " takes "
                  + Shapes.chw(p.inputShape())
                  + " but "
                  + from
                  + " is "
                  + Shapes.chw(shape)
                  + ": the shapes do not chain");
        }
        shape = p.outputShape();
        from = "the output of " + p.label();
      }
      if (!Arrays.equals(shape, output)) {
        throw fail(
            "field 'output' is "
                + Shapes.chw(output)
                + " but the suffix outputs "
                + Shapes.chw(shape)
                + ": the shapes do not chain");
      }
    }

    private void checkClasses() {
      JsonNode node = field(root, "classes", "classes");
      if (output.length == 1) {
        long c = integer(root, "classes", "classes");
        if (c != output[0]) {
          throw fail("field 'classes' is " + c + " but the output is " + Shapes.chw(output));
        }
        classes = OptionalInt.of((int) c);
      } else {
        if (!node.isNull()) {
          throw fail(
              "field 'classes' is "
                  + node
                  + " but the output "
                  + Shapes.chw(output)
                  + " is not a vector (expected: null)");
        }
        classes = OptionalInt.empty();
      }
    }

    private void checkCuts() {
      JsonNode cuts = field(root, "cuts", "cuts");
      if (!cuts.isArray() || cuts.size() != units.size() + 1) {
        throw fail(
            "field 'cuts' must be an array of "
                + (units.size() + 1)
                + " entries (splits 0.."
                + units.size()
                + "), found "
                + (cuts.isArray() ? cuts.size() + " entries" : kind(cuts)));
      }
      for (int k = 0; k <= units.size(); k++) {
        String where = "cuts[" + k + "]";
        JsonNode cut = cuts.get(k);
        if (!cut.isObject()) {
          throw fail("field '" + where + "' must be an object, found " + kind(cut));
        }
        long split = integer(cut, "split", where + ".split");
        String expectedUnit =
            k > 0 ? units.get(k - 1).name() : prefix != null ? "(prefix)" : "(input)";
        long[] expectedShape =
            k > 0
                ? units.get(k - 1).outputShape()
                : prefix != null ? prefix.outputShape() : new long[] {input[0], input[1], input[2]};
        String unit = text(cut, "unit", where + ".unit");
        long[] shape = shape(cut, "shape", where + ".shape");
        long bytes = integer(cut, "bytes_per_image", where + ".bytes_per_image");
        if (split != k || !unit.equals(expectedUnit)) {
          throw fail(
              where
                  + " is split "
                  + split
                  + " after '"
                  + unit
                  + "' but split "
                  + k
                  + " comes after '"
                  + expectedUnit
                  + "'");
        }
        if (!Arrays.equals(shape, expectedShape)) {
          throw fail(
              where
                  + " says shape "
                  + Shapes.chw(shape)
                  + " but "
                  + expectedUnit
                  + " outputs "
                  + Shapes.chw(expectedShape)
                  + ": the cut table does not match the pieces");
        }
        long expectedBytes = 4;
        for (long d : shape) {
          expectedBytes *= d;
        }
        if (bytes != expectedBytes) {
          throw fail(
              where
                  + " says "
                  + bytes
                  + " bytes per image but "
                  + Shapes.chw(shape)
                  + " is "
                  + expectedBytes
                  + " float32 bytes");
        }
      }
    }

    private void checkTotals() {
      JsonNode params = root.get("params");
      if (params != null && !params.isNull()) {
        long sum = pieces().stream().mapToLong(TorchScriptPiece::params).sum();
        if (integer(root, "params", "params") != sum) {
          throw fail("field 'params' is " + params + " but the pieces hold " + sum + " parameters");
        }
      }
    }

    private List<TorchScriptPiece> pieces() {
      List<TorchScriptPiece> all = new ArrayList<>();
      if (prefix != null) {
        all.add(prefix);
      }
      all.addAll(units);
      all.add(suffix);
      return all;
    }

    private void parseReference() {
      JsonNode node = root.get("reference");
      if (node == null || node.isNull()) {
        return;
      }
      if (!node.isObject()) {
        throw fail("field 'reference' must be an object or null, found " + kind(node));
      }
      JsonNode in = field(node, "input", "reference.input");
      JsonNode out = field(node, "output", "reference.output");
      long[] inShape = shape(in, "shape", "reference.input.shape");
      long[] outShape = shape(out, "shape", "reference.output.shape");
      long[] expectedIn = {inShape[0], input[0], input[1], input[2]};
      if (!Arrays.equals(inShape, expectedIn)
          || outShape.length != output.length + 1
          || outShape[0] != inShape[0]
          || !Arrays.equals(Arrays.copyOfRange(outShape, 1, outShape.length), output)) {
        throw fail(
            "reference shapes "
                + Shapes.chw(inShape)
                + " -> "
                + Shapes.chw(outShape)
                + " do not fit input "
                + Shapes.chw(input)
                + " and output "
                + Shapes.chw(output));
      }
      String inFile = text(in, "file", "reference.input.file");
      String outFile = text(out, "file", "reference.output.file");
      for (String f : List.of(inFile, outFile)) {
        if (!FILE.matcher(f).matches() || f.equals(".") || f.equals("..")) {
          throw fail("reference file '" + f + "' is not a plain file name inside the directory");
        }
      }
      String inSha = text(in, "sha256", "reference.input.sha256");
      String outSha = text(out, "sha256", "reference.output.sha256");
      reference =
          new Reference(
              directory.resolve(inFile),
              inShape,
              inSha,
              directory.resolve(outFile),
              outShape,
              outSha);
    }

    private JsonNode field(JsonNode node, String name, String where) {
      JsonNode value = node.get(name);
      if (value == null) {
        throw fail("field '" + where + "' is missing");
      }
      return value;
    }

    private String text(JsonNode node, String name) {
      return text(node, name, name);
    }

    private String text(JsonNode node, String name, String where) {
      JsonNode value = field(node, name, where);
      if (!value.isTextual()) {
        throw fail("field '" + where + "' must be a string, found " + kind(value));
      }
      return value.textValue();
    }

    private String optionalText(JsonNode node, String name) {
      JsonNode value = node.get(name);
      return value != null && value.isTextual() ? value.textValue() : "";
    }

    private long integer(JsonNode node, String name) {
      return integer(node, name, name);
    }

    private long integer(JsonNode node, String name, String where) {
      JsonNode value = field(node, name, where);
      if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
        throw fail("field '" + where + "' must be an integer >= 0, found " + kind(value));
      }
      return value.longValue();
    }

    private long[] shape(JsonNode node, String name, String where) {
      JsonNode value = field(node, name, where);
      if (!value.isArray() || value.isEmpty() || value.size() > 8) {
        throw fail(
            "field '"
                + where
                + "' must be a shape: an array of 1 to 8 integers >= 1, found "
                + kind(value));
      }
      long[] dims = new long[value.size()];
      long bytes = 4;
      for (int i = 0; i < dims.length; i++) {
        JsonNode d = value.get(i);
        if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 1) {
          throw fail(
              "field '"
                  + where
                  + "' must be a shape: an array of 1 to 8 integers >= 1, found "
                  + value);
        }
        dims[i] = d.longValue();
        try {
          bytes = Math.multiplyExact(bytes, dims[i]);
        } catch (ArithmeticException e) {
          throw fail("field '" + where + "' is " + value + ": far too large a tensor");
        }
      }
      return dims;
    }

    private static String kind(JsonNode node) {
      String text = node.toString();
      return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
          + " "
          + (text.length() > 60 ? text.substring(0, 57) + "..." : text);
    }

    private ModelDirectoryException fail(String what) {
      return new ModelDirectoryException(manifestFile, manifestFile + ": " + what);
    }
  }
}
