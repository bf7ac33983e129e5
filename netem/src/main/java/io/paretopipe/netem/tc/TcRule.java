package io.paretopipe.netem.tc;

import io.paretopipe.netem.internal.OwnerProcess;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Properties;

/**
 * The record of one applied rule, kept as {@code <stateDir>/<id>.properties} from just before the
 * rule is added until just after it is removed, so that {@code netem clear} can remove it after its
 * owner died.
 *
 * <p>File format (Java properties, version 1): {@code version=1}, {@code id}, {@code netns} (absent
 * for the namespace of the owner), {@code interface}, {@code handle} (hex major, e.g. {@code
 * 5a3f}), {@code tcpPort} ({@code 0} = all traffic), {@code spec} (the condition), {@code ownerPid}
 * ({@code 0} = detached, see {@link OwnerProcess}), {@code ownerStartTicks}, {@code createdAt}
 * (ISO-8601).
 *
 * @param id unique file stem
 * @param target where the rule is
 * @param handleMajor the root qdisc handle the rule added; only a root qdisc with this handle is
 *     ever removed
 * @param spec the condition as {@link io.paretopipe.format.NetworkCondition#toSpec()}
 * @param owner the process whose life the rule is bound to
 * @param createdAt when the record was written
 */
public record TcRule(
    String id,
    TcTarget target,
    int handleMajor,
    String spec,
    OwnerProcess owner,
    Instant createdAt) {

  static final String VERSION = "1";

  /** Writes {@code <dir>/<id>.properties} atomically (temporary file, then rename). */
  void write(Path dir) {
    Properties p = new Properties();
    p.setProperty("version", VERSION);
    p.setProperty("id", id);
    if (target.netns() != null) {
      p.setProperty("netns", target.netns());
    }
    p.setProperty("interface", target.interfaceName());
    p.setProperty("handle", Integer.toHexString(handleMajor));
    p.setProperty("tcpPort", Integer.toString(target.tcpPort()));
    p.setProperty("spec", spec);
    p.setProperty("ownerPid", Long.toString(owner.pid()));
    p.setProperty("ownerStartTicks", Long.toString(owner.startTicks()));
    p.setProperty("createdAt", createdAt.toString());
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(id + ".properties.tmp");
      try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(
            out,
            "paretopipe tc rule: removed by its owner on close, or by 'paretopipe.jar netem clear'");
      }
      Files.move(
          tmp, file(dir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot record the tc rule in "
              + dir
              + " (the state directory must be"
              + " writable; set -Dparetopipe.netem.stateDir=DIR to move it): "
              + e.getMessage(),
          e);
    }
  }

  /** The record file in {@code dir}. */
  Path file(Path dir) {
    return dir.resolve(id + ".properties");
  }

  /**
   * Reads a record file.
   *
   * @throws IllegalArgumentException when the file is not a version-1 record, naming the file and
   *     the problem
   */
  static TcRule read(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read tc rule record " + file + ": " + e.getMessage(), e);
    }
    if (!VERSION.equals(p.getProperty("version"))) {
      throw new IllegalArgumentException(
          "tc rule record "
              + file
              + " has version '"
              + p.getProperty("version")
              + "'; this build reads version "
              + VERSION);
    }
    try {
      TcTarget target =
          new TcTarget(
              p.getProperty("netns"),
              p.getProperty("interface"),
              Integer.parseInt(p.getProperty("tcpPort", "0")));
      return new TcRule(
          p.getProperty("id"),
          target,
          Integer.parseInt(p.getProperty("handle"), 16),
          p.getProperty("spec", ""),
          new OwnerProcess(
              Long.parseLong(p.getProperty("ownerPid")),
              Long.parseLong(p.getProperty("ownerStartTicks", "-1"))),
          Instant.parse(p.getProperty("createdAt")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "tc rule record " + file + " is malformed: " + e.getMessage(), e);
    }
  }

  /** One line for {@code netem show}. */
  public String describe() {
    String ownerText =
        owner.pid() == 0
            ? "detached (removed by 'netem clear')"
            : "pid "
                + owner.pid()
                + (owner.isAlive() ? " (alive)" : " (dead: removed by 'netem clear')");
    return id
        + ": "
        + spec
        + " on "
        + target.describe()
        + ", root handle "
        + TcCommandBuilder.handle(handleMajor)
        + ", owner "
        + ownerText
        + ", since "
        + createdAt;
  }
}
