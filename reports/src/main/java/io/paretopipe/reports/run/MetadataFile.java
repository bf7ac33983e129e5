package io.paretopipe.reports.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.format.RunFolder;
import io.paretopipe.reports.ReportInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a run folder's {@value RunFolder#METADATA_FILE} (written by the sweep, docs/BENCHMARKS.md
 * "Run folder"). Stateless.
 */
public final class MetadataFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MetadataFile() {}

  /**
   * @param file the metadata file
   * @return its parsed object
   * @throws ReportInputException naming {@code file} when it cannot be read or {@link #parse}
   *     rejects it
   */
  public static JsonNode read(Path file) throws ReportInputException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ReportInputException(file, "cannot read: " + e, e);
    }
    return parse(file, text);
  }

  /**
   * @param file where {@code text} came from, for the message
   * @param text the file's content
   * @return the parsed object; a missing {@code format} or {@code version} is taken as this
   *     reader's
   * @throws ReportInputException when {@code text} is not JSON, not an object, of another {@code
   *     format} than {@value RunFolder#METADATA_FORMAT}, or of a newer {@code version} than {@value
   *     RunFolder#METADATA_VERSION}
   */
  public static JsonNode parse(Path file, String text) throws ReportInputException {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ReportInputException(file, "not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new ReportInputException(
          file, "expected a JSON object (" + RunFolder.METADATA_FORMAT + ")");
    }
    String format = node.path("format").asText(RunFolder.METADATA_FORMAT);
    if (!format.equals(RunFolder.METADATA_FORMAT)) {
      throw new ReportInputException(
          file, "format \"" + format + "\" (expected: " + RunFolder.METADATA_FORMAT + ")");
    }
    int version = node.path("version").asInt(RunFolder.METADATA_VERSION);
    if (version > RunFolder.METADATA_VERSION) {
      throw new ReportInputException(
          file,
          "version "
              + version
              + " is newer than this reader knows ("
              + RunFolder.METADATA_VERSION
              + "): update ParetoPipe");
    }
    return node;
  }
}
