package io.paretopipe.harness.energy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A device's published power figures, for the model tier ({@link ModelEnergyMeter}).
 *
 * <p>{@code idleWatts} is the whole board at idle; {@code loadWatts} with all {@code cores} busy;
 * so one busy core costs {@link #activeWattsPerCore()} = (load - idle) / cores on top of idle. Both
 * are at the board's power input, as published in {@code source} (the built-ins are in {@value
 * #RESOURCE}, cited in docs/ENERGY.md).
 *
 * <p>{@code linkJoulesPerByte} (optional) is the energy the board spends per byte it sends or
 * receives over its network interface, as published in {@code linkSource}; {@link LinkEnergy}
 * applies it to the bytes a run moves over its link. Null where no figure is published (the link's
 * energy is then {@code unavailable}, never 0).
 *
 * @param name the profile name ({@code pi4}, {@code pi5}); a device profile of {@code netem
 *     profiles} named {@code NAME} or {@code NAME-tail} uses it
 * @param linkJoulesPerByte joules per byte of network traffic, or null when none is published
 * @param linkSource where {@code linkJoulesPerByte} comes from, null exactly when it is null
 */
public record DevicePower(
    String name,
    double idleWatts,
    double loadWatts,
    int cores,
    String source,
    Double linkJoulesPerByte,
    String linkSource) {

  /** The class-path resource with the built-in figures. */
  public static final String RESOURCE = "/device-power.properties";

  public DevicePower {
    if (!(idleWatts > 0) || !(loadWatts > idleWatts) || cores < 1) {
      throw new IllegalArgumentException(
          "device power "
              + name
              + ": idle "
              + idleWatts
              + " W, load "
              + loadWatts
              + " W, "
              + cores
              + " cores (expected: 0 < idle < load, cores >= 1)");
    }
    if (linkJoulesPerByte != null && !(linkJoulesPerByte > 0 && linkJoulesPerByte < 1e-3)) {
      throw new IllegalArgumentException(
          "device power "
              + name
              + ": linkJoulesPerByte "
              + linkJoulesPerByte
              + " (expected: > 0 and < 1e-3 J/byte, or absent)");
    }
    if ((linkJoulesPerByte == null) != (linkSource == null || linkSource.isBlank())) {
      throw new IllegalArgumentException(
          "device power " + name + ": a per-byte link figure needs its linkSource, and only it");
    }
  }

  /** The names of the built-in profiles that have a per-byte link figure. */
  public static java.util.List<String> withLinkFigure() {
    return builtIn().values().stream()
        .filter(d -> d.linkJoulesPerByte() != null)
        .map(DevicePower::name)
        .toList();
  }

  /** Watts one fully busy core adds to idle. */
  public double activeWattsPerCore() {
    return (loadWatts - idleWatts) / cores;
  }

  /** The built-in figures by name. */
  public static Map<String, DevicePower> builtIn() {
    Properties p = new Properties();
    try (InputStream in = DevicePower.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing from the class path");
      }
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, DevicePower> out = new LinkedHashMap<>();
    for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
      if (!key.endsWith(".idleWatts")) {
        continue;
      }
      String name = key.substring(0, key.length() - ".idleWatts".length());
      out.put(
          name,
          new DevicePower(
              name,
              Double.parseDouble(p.getProperty(name + ".idleWatts")),
              Double.parseDouble(p.getProperty(name + ".loadWatts")),
              Integer.parseInt(p.getProperty(name + ".cores")),
              p.getProperty(name + ".source"),
              p.containsKey(name + ".linkJoulesPerByte")
                  ? Double.valueOf(p.getProperty(name + ".linkJoulesPerByte"))
                  : null,
              p.getProperty(name + ".linkSource")));
    }
    return out;
  }

  /**
   * The figures for a device profile name: {@code NAME} itself, else {@code NAME} without a {@code
   * -tail} or {@code -head} suffix ({@code pi4-tail} is a Pi 4).
   *
   * @throws IllegalArgumentException naming the valid profiles when none matches
   */
  public static DevicePower forDevice(String device) {
    Map<String, DevicePower> all = builtIn();
    String base = device.replaceFirst("-(tail|head)$", "");
    DevicePower d = all.containsKey(device) ? all.get(device) : all.get(base);
    if (d == null) {
      throw new IllegalArgumentException(
          "no power figures for device '"
              + device
              + "': known are "
              + String.join(", ", all.keySet())
              + " (and NAME-tail / NAME-head of each)");
    }
    return d;
  }
}
