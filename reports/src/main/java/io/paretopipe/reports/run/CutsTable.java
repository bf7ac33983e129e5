package io.paretopipe.reports.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.reports.ReportInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The cut table of one model, read from {@code cuts/<model>.json} ({@code paretopipe.jar models cuts MODEL --json}):
 * bytes sent at each cut for the table's batch size. Immutable.
 */
final class CutsTable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final int batch;
  private final Map<Long, Long> bytesBySplit;

  private CutsTable(int batch, Map<Long, Long> bytesBySplit) {
    this.batch = batch;
    this.bytesBySplit = bytesBySplit;
  }

  static CutsTable read(Path file) throws ReportInputException {
    JsonNode root;
    try {
      root = MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new ReportInputException(file, "not a cut table (expected the JSON of `models cuts MODEL --json`): "
          + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || !root.path("cuts").isArray()) {
      throw new ReportInputException(file, "not a cut table: expected an object with a \"cuts\" array");
    }
    int batch = root.path("batch").asInt(1);
    if (batch <= 0) {
      throw new ReportInputException(file, "cut table \"batch\" must be positive, found " + root.get("batch"));
    }
    Map<Long, Long> bytes = new HashMap<>();
    for (JsonNode cut : root.get("cuts")) {
      if (!cut.path("split").canConvertToLong() || !cut.path("bytes").canConvertToLong()) {
        throw new ReportInputException(file, "cut table entry " + cut + " needs integer \"split\" and \"bytes\"");
      }
      bytes.put(cut.get("split").asLong(), cut.get("bytes").asLong());
    }
    return new CutsTable(batch, bytes);
  }

  /**
   * @param split a split label such as {@code 3} or {@code 3:9}
   * @param pointBatch the batch size of the point
   * @return bytes per request summed over every cut of the label, scaled to {@code pointBatch}; -1 when a cut is
   *     not in the table
   */
  long bytes(String split, int pointBatch) {
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
