package io.paretopipe.reports.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.format.CutTableJson;
import io.paretopipe.format.RunFolder;
import io.paretopipe.reports.ReportInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The cut table of one model, read from {@code cuts/<model>.json} ({@code paretopipe.jar models
 * cuts MODEL --json}): bytes sent at each cut for the table's batch size, and whether cut 0 lies
 * after a prefix. Immutable.
 */
public final class CutsTable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final int batch;
  private final Map<Long, Long> bytesBySplit;
  private final boolean prefix;

  private CutsTable(int batch, Map<Long, Long> bytesBySplit, boolean prefix) {
    this.batch = batch;
    this.bytesBySplit = bytesBySplit;
    this.prefix = prefix;
  }

  /**
   * The file name of {@code model}'s cut table in a run folder's {@code cuts/}: the URL-encoded
   * (UTF-8) model name plus {@code .json}, so a model given as a directory path is one file name
   * ({@code resnet18.json}, {@code %2Fdata%2Fmy-net.json}).
   */
  public static String fileName(String model) {
    return RunFolder.cutTableFileName(model);
  }

  /**
   * The cut table that belongs to a JMH JSON file: {@code cuts/<model>.json} of its run folder (see
   * {@link RunLoader#runFolder}).
   *
   * @param jmhJsonFile a JMH JSON file
   * @param model the model name
   * @return the table, empty when there is no such file
   * @throws ReportInputException when the file exists but is not a cut table
   */
  public static Optional<CutsTable> besides(Path jmhJsonFile, String model)
      throws ReportInputException {
    Path file = RunLoader.runFolder(jmhJsonFile).resolve(RunFolder.CUTS).resolve(fileName(model));
    return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
  }

  /**
   * @param file a cut table JSON file
   * @return the table
   * @throws ReportInputException when it is not one
   */
  public static CutsTable read(Path file) throws ReportInputException {
    JsonNode root;
    try {
      root = MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new ReportInputException(
          file,
          "not a cut table (expected the JSON of `models cuts MODEL --json`): " + e.getMessage(),
          e);
    }
    if (root == null || !root.isObject() || !root.path(CutTableJson.CUTS).isArray()) {
      throw new ReportInputException(
          file, "not a cut table: expected an object with a \"cuts\" array");
    }
    int batch = root.path(CutTableJson.BATCH).asInt(1);
    if (batch <= 0) {
      throw new ReportInputException(
          file, "cut table \"batch\" must be positive, found " + root.get("batch"));
    }
    Map<Long, Long> bytes = new HashMap<>();
    boolean prefix = false;
    for (JsonNode cut : root.get(CutTableJson.CUTS)) {
      if (!cut.path(CutTableJson.SPLIT).canConvertToLong()
          || !cut.path(CutTableJson.BYTES).canConvertToLong()) {
        throw new ReportInputException(
            file, "cut table entry " + cut + " needs integer \"split\" and \"bytes\"");
      }
      bytes.put(cut.get(CutTableJson.SPLIT).asLong(), cut.get(CutTableJson.BYTES).asLong());
      if (cut.get(CutTableJson.SPLIT).asLong() == 0
          && CutTableJson.PREFIX_UNIT.equals(cut.path(CutTableJson.UNIT).asText())) {
        prefix = true;
      }
    }
    return new CutsTable(batch, bytes, prefix);
  }

  /**
   * @return the batch size the table's bytes are for
   */
  public int batch() {
    return batch;
  }

  /**
   * @return true when cut 0 lies after a prefix (the table's split 0 is unit {@code (prefix)})
   */
  public boolean hasPrefix() {
    return prefix;
  }

  /**
   * @return the number of units {@code n} (the largest split), or -1 for an empty table
   */
  public int unitCount() {
    return bytesBySplit.keySet().stream().mapToInt(Long::intValue).max().orElse(-1);
  }

  /**
   * @param split a split label such as {@code 3} or {@code 3:9}
   * @param pointBatch the batch size of the point
   * @return bytes per request summed over every cut of the label, scaled to {@code pointBatch}; -1
   *     when a cut is not in the table
   */
  public long bytes(String split, int pointBatch) {
    long total = 0;
    for (String part : split.split(":")) {
      Long bytes;
      try {
        bytes = bytesBySplit.get(Long.parseLong(part.trim()));
      } catch (NumberFormatException e) {
        return -1;
      }
      if (bytes == null) {
        return -1;
      }
      total += bytes;
    }
    return total * pointBatch / batch;
  }
}
