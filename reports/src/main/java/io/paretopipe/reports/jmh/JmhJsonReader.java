package io.paretopipe.reports.jmh;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.paretopipe.reports.ReportInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads one JMH JSON result file. Stateless and thread-safe.
 *
 * <p>Accepted: the top-level array JMH writes, each element with at least {@code benchmark}, {@code
 * mode} and {@code primaryMetric.score} / {@code primaryMetric.scoreUnit}. Everything else is
 * optional. Numbers may be JSON numbers or the strings {@code "NaN"}, {@code "+INF"}, {@code
 * "-INF"} (JMH's spelling), {@code "Infinity"}, {@code "-Infinity"}; {@code params} values may be
 * strings or numbers and are kept as strings.
 */
public final class JmhJsonReader {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /**
   * @param file a JMH JSON file
   * @return its results in file order (possibly empty when the file holds {@code []})
   * @throws ReportInputException when the file is missing, empty, not JSON or not in JMH's schema;
   *     the message names the file, the element and the field
   */
  public List<JmhResult> read(Path file) throws ReportInputException {
    JsonNode root = parse(file);
    if (!root.isArray()) {
      throw new ReportInputException(
          file,
          "not a JMH result file: expected a JSON array of benchmark results (JMH -rf json), found a JSON "
              + kind(root));
    }
    List<JmhResult> results = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      results.add(readResult(file, i, root.get(i)));
    }
    return results;
  }

  private static JsonNode parse(Path file) throws ReportInputException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ReportInputException(file, "no such file", e);
    } catch (IOException e) {
      throw new ReportInputException(file, "cannot read: " + e, e);
    }
    if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      throw new ReportInputException(
          file, "empty file: expected a JMH JSON result array (JMH -rf json)");
    }
    try (JsonParser parser = MAPPER.createParser(bytes)) {
      return MAPPER.readTree(parser);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new ReportInputException(file, "not JSON: " + e.getOriginalMessage() + where, e);
    } catch (IOException e) {
      throw new ReportInputException(file, "cannot read: " + e, e);
    }
  }

  private static JmhResult readResult(Path file, int index, JsonNode node)
      throws ReportInputException {
    String where = "result #" + index;
    if (!node.isObject()) {
      throw schema(file, where, "expected an object, found a JSON " + kind(node));
    }
    String benchmark = requireText(file, where, node, "benchmark");
    where = where + " (" + benchmark + ")";
    String mode = requireText(file, where, node, "mode");
    SortedMap<String, String> params = new TreeMap<>();
    JsonNode paramsNode = node.get("params");
    if (paramsNode != null && !paramsNode.isNull()) {
      if (!paramsNode.isObject()) {
        throw schema(
            file,
            where,
            "\"params\" must be an object of strings, found a JSON " + kind(paramsNode));
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = paramsNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          throw schema(
              file,
              where,
              "param \"" + e.getKey() + "\" must be a string, found a JSON " + kind(e.getValue()));
        }
        params.put(e.getKey(), e.getValue().asText());
      }
    }
    JsonNode primaryNode = node.get("primaryMetric");
    if (primaryNode == null || !primaryNode.isObject()) {
      throw schema(file, where, "missing object \"primaryMetric\"");
    }
    JmhMetric primary = readMetric(file, where + " primaryMetric", primaryNode);
    Map<String, JmhMetric> secondary = new LinkedHashMap<>();
    JsonNode secondaryNode = node.get("secondaryMetrics");
    if (secondaryNode != null && !secondaryNode.isNull()) {
      if (!secondaryNode.isObject()) {
        throw schema(
            file,
            where,
            "\"secondaryMetrics\" must be an object, found a JSON " + kind(secondaryNode));
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = secondaryNode.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isObject()) {
          throw schema(file, where, "secondary metric \"" + e.getKey() + "\" must be an object");
        }
        secondary.put(
            e.getKey(),
            readMetric(file, where + " secondary metric \"" + e.getKey() + "\"", e.getValue()));
      }
    }
    return new JmhResult(
        file,
        index,
        benchmark,
        mode,
        params,
        primary,
        secondary,
        seconds(node.get("measurementTime")));
  }

  private static JmhMetric readMetric(Path file, String where, JsonNode node)
      throws ReportInputException {
    double score = requireNumber(file, where, node, "score");
    String unit = requireText(file, where, node, "scoreUnit");
    double error = optNumber(file, where, node, "scoreError");
    double low = Double.NaN;
    double high = Double.NaN;
    JsonNode confidence = node.get("scoreConfidence");
    if (confidence != null && !confidence.isNull()) {
      if (!confidence.isArray() || confidence.size() != 2) {
        throw schema(file, where, "\"scoreConfidence\" must be an array of two numbers");
      }
      low = number(file, where, "scoreConfidence[0]", confidence.get(0));
      high = number(file, where, "scoreConfidence[1]", confidence.get(1));
    }
    SortedMap<Double, Double> percentiles = new TreeMap<>();
    JsonNode pct = node.get("scorePercentiles");
    if (pct != null && !pct.isNull()) {
      if (!pct.isObject()) {
        throw schema(file, where, "\"scorePercentiles\" must be an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = pct.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        double percentile;
        try {
          percentile = Double.parseDouble(e.getKey());
        } catch (NumberFormatException ex) {
          throw schema(
              file,
              where,
              "scorePercentiles key \"" + e.getKey() + "\" is not a number like \"99.9\"");
        }
        if (!(percentile >= 0 && percentile <= 100)) {
          throw schema(file, where, "scorePercentiles key \"" + e.getKey() + "\" is not in 0..100");
        }
        percentiles.put(
            percentile, number(file, where, "scorePercentiles." + e.getKey(), e.getValue()));
      }
    }
    List<List<Double>> rawData = new ArrayList<>();
    JsonNode raw = node.get("rawData");
    if (raw != null && !raw.isNull()) {
      if (!raw.isArray()) {
        throw schema(
            file,
            where,
            "\"rawData\" must be an array (per fork) of arrays (per iteration) of numbers");
      }
      for (int f = 0; f < raw.size(); f++) {
        JsonNode fork = raw.get(f);
        if (!fork.isArray()) {
          throw schema(
              file, where, "rawData[" + f + "] must be an array of numbers (one per iteration)");
        }
        List<Double> iterations = new ArrayList<>();
        for (int i = 0; i < fork.size(); i++) {
          iterations.add(number(file, where, "rawData[" + f + "][" + i + "]", fork.get(i)));
        }
        rawData.add(iterations);
      }
    }
    List<List<List<double[]>>> histogram = new ArrayList<>();
    JsonNode rawHist = node.get("rawDataHistogram");
    if (rawHist != null && !rawHist.isNull()) {
      String shape =
          "\"rawDataHistogram\" must be per fork, per iteration, a list of [value, count] pairs";
      if (!rawHist.isArray()) {
        throw schema(file, where, shape);
      }
      for (int f = 0; f < rawHist.size(); f++) {
        JsonNode fork = rawHist.get(f);
        if (!fork.isArray()) {
          throw schema(file, where, shape + " (rawDataHistogram[" + f + "] is not an array)");
        }
        List<List<double[]>> iterations = new ArrayList<>();
        for (int i = 0; i < fork.size(); i++) {
          JsonNode iteration = fork.get(i);
          if (!iteration.isArray()) {
            throw schema(
                file, where, shape + " (rawDataHistogram[" + f + "][" + i + "] is not an array)");
          }
          List<double[]> pairs = new ArrayList<>();
          for (int k = 0; k < iteration.size(); k++) {
            JsonNode pair = iteration.get(k);
            String at = "rawDataHistogram[" + f + "][" + i + "][" + k + "]";
            if (!pair.isArray() || pair.size() != 2) {
              throw schema(file, where, shape + " (" + at + " is not a [value, count] pair)");
            }
            double value = number(file, where, at + "[0]", pair.get(0));
            double count = number(file, where, at + "[1]", pair.get(1));
            if (!(count >= 0) || count != Math.rint(count)) {
              throw schema(
                  file, where, at + " count " + pair.get(1) + " is not a non-negative integer");
            }
            pairs.add(new double[] {value, count});
          }
          iterations.add(pairs);
        }
        histogram.add(iterations);
      }
    }
    return new JmhMetric(score, error, low, high, percentiles, unit, rawData, histogram);
  }

  private static String requireText(Path file, String where, JsonNode node, String field)
      throws ReportInputException {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw schema(file, where, "missing string field \"" + field + "\"");
    }
    return value.asText();
  }

  /** JMH's {@code TimeValue} text, e.g. {@code "2 s"}, {@code "500 ms"}; NaN when not one. */
  static double seconds(JsonNode value) {
    if (value == null || !value.isTextual()) {
      return Double.NaN;
    }
    String[] parts = value.asText().trim().split("\\s+");
    if (parts.length != 2) {
      return Double.NaN;
    }
    double amount;
    try {
      amount = Double.parseDouble(parts[0]);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
    double factor =
        switch (parts[1]) {
          case "ns" -> 1e-9;
          case "us" -> 1e-6;
          case "ms" -> 1e-3;
          case "s" -> 1;
          case "min" -> 60;
          case "hr" -> 3600;
          case "day" -> 86400;
          default -> Double.NaN;
        };
    return amount * factor;
  }

  private static double requireNumber(Path file, String where, JsonNode node, String field)
      throws ReportInputException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw schema(file, where, "missing number field \"" + field + "\"");
    }
    return number(file, where, field, value);
  }

  private static double optNumber(Path file, String where, JsonNode node, String field)
      throws ReportInputException {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? Double.NaN : number(file, where, field, value);
  }

  /** Parses a JSON number or JMH's special strings. */
  static double number(Path file, String where, String field, JsonNode value)
      throws ReportInputException {
    if (value.isNumber()) {
      return value.doubleValue();
    }
    if (value.isTextual()) {
      switch (value.asText().trim()) {
        case "NaN":
          return Double.NaN;
        case "+INF":
        case "INF":
        case "Infinity":
        case "+Infinity":
          return Double.POSITIVE_INFINITY;
        case "-INF":
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          try {
            return Double.parseDouble(value.asText().trim());
          } catch (NumberFormatException e) {
            break;
          }
      }
    }
    throw schema(
        file,
        where,
        "\""
            + field
            + "\" must be a number or one of \"NaN\", \"+INF\", \"-INF\", found "
            + abbreviate(value.toString()));
  }

  private static ReportInputException schema(Path file, String where, String problem) {
    return new ReportInputException(file, "not in JMH's result schema: " + where + ": " + problem);
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
