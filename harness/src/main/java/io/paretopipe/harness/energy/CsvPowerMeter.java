package io.paretopipe.harness.energy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An external power meter's samples (e.g. a USB power meter logging a Raspberry Pi): a CSV file of
 * {@code timestamp,watts} rows, read when the window closes, so the meter may keep appending to it
 * during the run.
 *
 * <p>Format: an optional header row (any row whose second field is not a number); then one sample
 * per row, the timestamp first (seconds since the Unix epoch, fractions allowed, or an ISO-8601
 * instant such as {@code 2026-12-05T19:40:01.250Z}) and the watts second; further columns are
 * ignored; rows must be in time order.
 *
 * <p>Clock: the window is the interval between {@link #start()} and stop on this host's wall clock
 * ({@link Instant#now()}); the meter's timestamps must be on the same clock (an NTP-synchronised
 * logger, or shifted by {@code offsetSeconds}, added to every timestamp). The energy is the
 * trapezoid integral of the watts over the window, each end interpolated between its neighbouring
 * samples. A window the samples do not cover, end to end, is {@code unavailable} with both
 * intervals named, never a partial figure.
 */
public final class CsvPowerMeter implements EnergyMeter {

  private final Path file;
  private final double offsetSeconds;

  public CsvPowerMeter(Path file, double offsetSeconds) {
    this.file = file;
    this.offsetSeconds = offsetSeconds;
  }

  @Override
  public String tier() {
    return "csv";
  }

  @Override
  public Optional<String> unavailableReason() {
    return Files.isReadable(file)
        ? Optional.empty()
        : Optional.of(file + " is not a readable file (expected: a CSV of timestamp,watts rows)");
  }

  @Override
  public Window start() {
    Instant start = Instant.now();
    return cpu -> integrate(start, Instant.now());
  }

  /** One sample: seconds since the epoch and watts. */
  record Sample(double seconds, double watts) {}

  /** The energy between two instants on this host's clock, from the file as it is now. */
  EnergyReading integrate(Instant start, Instant end) {
    List<Sample> samples;
    try {
      samples = read();
    } catch (IOException | IllegalArgumentException e) {
      return EnergyReading.unavailable(tier(), e.getMessage());
    }
    double from = seconds(start);
    double to = seconds(end);
    if (samples.size() < 2
        || samples.get(0).seconds() > from
        || samples.get(samples.size() - 1).seconds() < to) {
      String covered =
          samples.isEmpty()
              ? "no samples"
              : String.format(
                  java.util.Locale.ROOT,
                  "samples cover %.3f..%.3f",
                  samples.get(0).seconds(),
                  samples.get(samples.size() - 1).seconds());
      return EnergyReading.unavailable(
          tier(),
          String.format(
              java.util.Locale.ROOT,
              "%s: %s (epoch seconds, offset %+.3f s applied) but the run was %.3f..%.3f: align the"
                  + " meter's clock or pass the offset",
              file,
              covered,
              offsetSeconds,
              from,
              to));
    }
    double joules = 0;
    for (int i = 1; i < samples.size(); i++) {
      Sample a = samples.get(i - 1);
      Sample b = samples.get(i);
      double lo = Math.max(a.seconds(), from);
      double hi = Math.min(b.seconds(), to);
      if (hi <= lo) {
        continue;
      }
      joules += (hi - lo) * (wattsAt(a, b, lo) + wattsAt(a, b, hi)) / 2;
    }
    return new EnergyReading(
        EnergyLabel.IMPORTED,
        tier(),
        joules,
        Map.of("meter", joules),
        "external meter " + file + " (trapezoid over " + samples.size() + " samples)",
        null);
  }

  private static double wattsAt(Sample a, Sample b, double t) {
    double span = b.seconds() - a.seconds();
    return span <= 0 ? a.watts() : a.watts() + (b.watts() - a.watts()) * (t - a.seconds()) / span;
  }

  private static double seconds(Instant i) {
    return i.getEpochSecond() + i.getNano() / 1e9;
  }

  List<Sample> read() throws IOException {
    List<Sample> out = new ArrayList<>();
    int n = 0;
    for (String line : Files.readAllLines(file)) {
      n++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("[,;\t]");
      if (f.length < 2) {
        throw new IllegalArgumentException(
            file + " line " + n + ": '" + line + "' (expected: timestamp,watts)");
      }
      double watts;
      try {
        watts = Double.parseDouble(f[1].trim());
      } catch (NumberFormatException e) {
        if (out.isEmpty()) {
          continue; // a header
        }
        throw new IllegalArgumentException(
            file + " line " + n + ": watts '" + f[1].trim() + "' is not a number");
      }
      if (!(watts >= 0) || Double.isInfinite(watts)) {
        throw new IllegalArgumentException(
            file + " line " + n + ": watts " + watts + " (expected: a finite number >= 0)");
      }
      double t = parseTime(f[0].trim(), n) + offsetSeconds;
      if (!out.isEmpty() && t < out.get(out.size() - 1).seconds()) {
        throw new IllegalArgumentException(
            file + " line " + n + ": timestamp goes back in time (expected: rows in time order)");
      }
      out.add(new Sample(t, watts));
    }
    return out;
  }

  private double parseTime(String text, int line) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException notEpoch) {
      try {
        return seconds(Instant.parse(text));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            file
                + " line "
                + line
                + ": timestamp '"
                + text
                + "' (expected: epoch seconds like 1764963601.25 or ISO-8601 like"
                + " 2026-12-05T19:40:01.250Z)");
      }
    }
  }
}
