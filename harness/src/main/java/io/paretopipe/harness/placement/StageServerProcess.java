package io.paretopipe.harness.placement;

import io.paretopipe.harness.transport.TransportKind;
import io.paretopipe.models.Engines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stage server JVM spawned on this machine ({@code paretopipe serve}), pinned with {@code
 * taskset} to its own CPUs, computing with its own thread count, started with the project's
 * allocator environment, one malloc arena ({@link #ARENA_ENV}), {@code ai.djl.offline=true} and its
 * JVM options (a nio server: C1 only, {@link #defaultJvmOptions}).
 *
 * <p>It dies with its owner, whatever happens: {@link #close()} ends it (idempotent); a JVM
 * shutdown hook ends it on Ctrl-C, {@code kill} or an exception that ends the owner (and deletes
 * its log if empty); and it watches its standard input, which only its owner holds open, so even a
 * {@code kill -9} of the owner makes it exit (its log is then left as it is).
 *
 * <p>Its standard output and error go to a log, {@code /tmp/paretopipe-stage-*.log} ({@link
 * #log()}). An empty log is deleted whatever the end: by {@link #close()} once the server has
 * exited and its output has ended ({@link #logWasEmpty()}), by {@link Builder#start()} when it
 * fails to start, or by the shutdown hook; error messages then say {@value ReadyLine#LOG_EMPTY}
 * instead of naming it. A log with something in it is deleted by {@link #close()} when the server
 * ended cleanly (it was alive until closed and exited with 0); it is kept when the server failed to
 * start (the exception names it), died on its own, exited with an error, when the owner saw a
 * failure and called {@link #keepLog()}, or when it was started with {@link
 * Builder#optKeepLog(boolean) optKeepLog(true)} (default: the system property {@value
 * #KEEP_LOGS_PROPERTY}, set by {@code --keep-logs}).
 */
public final class StageServerProcess implements AutoCloseable {

  /** The line the server prints on standard output once it accepts connections. */
  public static final String READY_PREFIX = "paretopipe stage server listening on ";

  /** {@code true}: every spawned server keeps its log (the builder's default). */
  public static final String KEEP_LOGS_PROPERTY = "paretopipe.keepLogs";

  /**
   * Set on a spawned server's command line to its log's path: a server whose owner vanished (its
   * standard input ended without {@link #FAREWELL}, as after a {@code kill -9} of the owner, which
   * then deletes nothing) deletes that log at exit if it is empty ({@code serve
   * --exit-with-parent}).
   */
  public static final String LOG_PROPERTY = "paretopipe.stageLog";

  /**
   * The byte {@link #close()} writes to the server's standard input before closing it: the owner is
   * alive and deals with the log itself.
   */
  public static final int FAREWELL = 'q';

  /**
   * glibc malloc arenas of a spawned server ({@code MALLOC_ARENA_MAX}), beside {@link
   * Engines#RECOMMENDED_ALLOCATOR_ENV}: one, the main arena, the only one whose free top {@code
   * malloc_trim} gives back. With glibc's default (8 per core) each compute thread allocates its
   * activations in an arena of its own, whose free memory the server's trims between sessions and
   * after evictions cannot return, and a sweep of every vgg16 split against one server stayed above
   * its resident bound (docs/SECURITY.md "Resident memory of a vgg16 sweep", where the forward
   * speed with and without the cap is measured). A {@code serve} started by hand should get it too.
   */
  public static final Map<String, String> ARENA_ENV = Map.of("MALLOC_ARENA_MAX", "1");

  /**
   * System property: the JVM options of every spawned server ({@link Builder#optJvmOptions(List)}
   * overrides it), as {@link #parseJvmOptions} reads them: {@value #JVM_OPTIONS_AUTO} (unset:
   * {@link #defaultJvmOptions}), {@value #JVM_OPTIONS_NONE}, or options separated by whitespace.
   * {@code run --stage-jvm-options} sets it; a sweep takes it as {@code
   * -Dparetopipe.stageJvmOptions=...}.
   */
  public static final String JVM_OPTIONS_PROPERTY = "paretopipe.stageJvmOptions";

  /** {@link #JVM_OPTIONS_PROPERTY}'s value for the transport's default. */
  public static final String JVM_OPTIONS_AUTO = "auto";

  /** {@link #JVM_OPTIONS_PROPERTY}'s value for no options. */
  public static final String JVM_OPTIONS_NONE = "none";

  /**
   * HotSpot's first compiler only, without profiling: every method that runs a few hundred times is
   * compiled once and nothing recompiles later. A stage's per-request Java code runs once per
   * request, so the default tiered JIT runs it profiled (tier 3) for thousands of requests and
   * compiles it again while requests are measured, each compilation on the stage's pinned CPU
   * (docs/OVERHEAD.md "Issue 24's first Done-when with JIT-warm JVMs").
   */
  public static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

  /** The spawned JVM's maximum Java heap; models and request buffers live off-heap. */
  private static final String HEAP = "1g";

  /** How long to wait for a spawned server to print its ready line, in milliseconds. */
  private static final long START_TIMEOUT_MILLIS = 120_000;

  /**
   * How long {@link #close()} waits, after the server exited, for its output to end before it
   * decides whether the log is empty, in milliseconds.
   */
  private static final long OUTPUT_END_MILLIS = 5_000;

  /**
   * How long the shutdown hook waits for the killed server to exit and its output to end before it
   * gives up deleting an empty log, in milliseconds.
   */
  private static final long SHUTDOWN_WAIT_MILLIS = 2_000;

  private final Process process;
  private final ReadyLine.Listening listening;
  private final String address;
  private final Path log;
  private final CpuSet cpus;
  private final int threads;
  private final List<String> jvmOptions;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean keepLog = new AtomicBoolean();
  private volatile boolean logWasEmpty;

  private StageServerProcess(
      Process process,
      ReadyLine.Listening listening,
      Path log,
      CpuSet cpus,
      int threads,
      List<String> jvmOptions,
      boolean keepLog) {
    this.process = process;
    this.jvmOptions = jvmOptions;
    this.listening = listening;
    this.keepLog.set(keepLog);
    this.address = listening.address();
    this.log = log;
    this.cpus = cpus;
    this.threads = threads;
    this.shutdownHook = new Thread(this::endAtShutdown, "stage-server-reaper-" + process.pid());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The JVM options a spawned server of this transport gets unless told otherwise: {@link #C1_ONLY}
   * for nio, whose stage is glue around libtorch's forward (measured after 500 warm-up requests:
   * the overhead's mean 0.81x and its p90 0.62x the tiered JIT's, docs/OVERHEAD.md); none for grpc,
   * whose HTTP/2 framing and copies are Java code that C2 compiles better (its tuned round trip was
   * slower under C1 at 4 MiB, docs/OVERHEAD.md).
   */
  public static List<String> defaultJvmOptions(TransportKind transport) {
    return transport == TransportKind.NIO ? List.of(C1_ONLY) : List.of();
  }

  /**
   * Reads a JVM options setting: {@value #JVM_OPTIONS_AUTO} gives {@link
   * #defaultJvmOptions(TransportKind) transport}'s, {@value #JVM_OPTIONS_NONE} (or blank) none,
   * anything else the options it lists, separated by whitespace.
   *
   * @throws IllegalArgumentException if an option does not start with {@code -}, or is one the
   *     server's command line sets itself ({@code -cp}, {@code -classpath}, {@code --class-path},
   *     {@code -jar}), naming it and what is valid
   */
  public static List<String> parseJvmOptions(String setting, TransportKind transport) {
    String s = setting == null ? JVM_OPTIONS_AUTO : setting.strip();
    if (s.equals(JVM_OPTIONS_AUTO)) {
      return defaultJvmOptions(transport);
    }
    if (s.isEmpty() || s.equals(JVM_OPTIONS_NONE)) {
      return List.of();
    }
    List<String> options = List.of(s.split("\\s+"));
    for (String o : options) {
      if (!o.startsWith("-") || o.length() == 1) {
        throw new IllegalArgumentException(
            "stage JVM options: '"
                + o
                + "' is not a JVM option (expected '"
                + JVM_OPTIONS_AUTO
                + "', '"
                + JVM_OPTIONS_NONE
                + "' or options starting with '-', e.g. "
                + C1_ONLY
                + ")");
      }
      if (List.of("-cp", "-classpath", "--class-path", "-jar").contains(o)) {
        throw new IllegalArgumentException(
            "stage JVM options: '"
                + o
                + "' is set by the spawned server's own command line (valid: options such as "
                + C1_ONLY
                + " or -Xlog:...)");
      }
    }
    return options;
  }

  /**
   * The JVM options {@value #JVM_OPTIONS_PROPERTY} gives a server of {@code transport}.
   *
   * @throws IllegalArgumentException naming the property, if it lists something that is not a JVM
   *     option
   */
  static List<String> propertyJvmOptions(TransportKind transport) {
    try {
      return parseJvmOptions(System.getProperty(JVM_OPTIONS_PROPERTY), transport);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-D" + JVM_OPTIONS_PROPERTY + ": " + e.getMessage(), e);
    }
  }

  /** The JVM options it was started with, beside its heap and system properties. */
  public List<String> jvmOptions() {
    return jvmOptions;
  }

  /**
   * {@link #jvmOptions()} as a setting reads: separated by a space, or {@value #JVM_OPTIONS_NONE}
   * when there are none ({@link #parseJvmOptions} reads it back).
   */
  public String jvmOptionsSetting() {
    return jvmOptions.isEmpty() ? JVM_OPTIONS_NONE : String.join(" ", jvmOptions);
  }

  /** {@code 127.0.0.1:PORT} the server accepts connections on. */
  public String address() {
    return address;
  }

  public long pid() {
    return process.pid();
  }

  /** CPUs it was pinned to ({@link CpuSet#UNPINNED} if not pinned). */
  public CpuSet cpus() {
    return cpus;
  }

  public int threads() {
    return threads;
  }

  /**
   * Its stdout and stderr; deleted by {@link #close()} after a clean end or when empty (see the
   * class doc).
   */
  public Path log() {
    return log;
  }

  /**
   * Whether {@link #close()} found the log empty (the server wrote nothing) and deleted it,
   * whatever {@link #keepsLog()} says; an error message then says {@value ReadyLine#LOG_EMPTY}
   * instead of naming {@link #log()}. False before {@link #close()}.
   */
  public boolean logWasEmpty() {
    return logWasEmpty;
  }

  /**
   * The log for a message written after {@link #close()}: its path, or {@value ReadyLine#LOG_EMPTY}
   * if it was empty and is gone.
   */
  public String logName() {
    return logWasEmpty ? ReadyLine.LOG_EMPTY : log.toString();
  }

  /**
   * Keeps the log past {@link #close()}: the owner saw a failure this server may explain.
   * Thread-safe.
   *
   * @return the log, for the owner's error message
   */
  public Path keepLog() {
    keepLog.set(true);
    return log;
  }

  /** Whether {@link #close()} keeps (or kept) the log, unless it is empty. */
  public boolean keepsLog() {
    return keepLog.get();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Ends the server: closes its standard input, then terminates it if it lingers; once it has
   * exited and its output has ended, deletes its log if empty, else after a clean end (class doc).
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (!process.isAlive()) {
      keepLog.set(true);
    }
    try (var stdin = process.getOutputStream()) {
      stdin.write(FAREWELL);
    } catch (IOException ignored) {
      // it may already be gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // shutting down already: the hook runs anyway
    }
    boolean exited = !process.isAlive();
    if (!exited || process.exitValue() != 0) {
      keepLog.set(true);
    }
    if (exited && listening.awaitEnd(OUTPUT_END_MILLIS) && ReadyLine.deleteIfEmpty(log)) {
      logWasEmpty = true;
    } else if (!keepLog.get()) {
      try {
        Files.deleteIfExists(log);
      } catch (IOException ignored) {
        // a log left behind is the only harm
      }
    }
  }

  /** The shutdown hook: kills the server and, once it is gone, deletes its log if empty. */
  private void endAtShutdown() {
    process.destroyForcibly();
    if (listening.awaitEnd(SHUTDOWN_WAIT_MILLIS)) {
      ReadyLine.deleteIfEmpty(log);
    }
  }

  @Override
  public String toString() {
    return "stage server pid "
        + pid()
        + " at "
        + address
        + " (cpus "
        + (cpus.pinned() ? cpus.list() : "any")
        + ", "
        + threads
        + " threads)";
  }

  /** Options of a spawned server; all optional. */
  public static final class Builder {
    private CpuSet cpus = CpuSet.UNPINNED;
    private int threads = 1;
    private final List<String> prefix = new ArrayList<>();
    private String listenHost = "127.0.0.1";
    private TransportKind transport = TransportKind.NIO;
    private final List<Path> modelDirectories = new ArrayList<>();
    private io.paretopipe.harness.auth.SharedSecret secret;
    private final List<String> serveOptions = new ArrayList<>();
    private boolean keepLog = Boolean.getBoolean(KEEP_LOGS_PROPERTY);
    private List<String> jvmOptions;

    private Builder() {}

    /**
     * JVM options of the server (e.g. {@code -Xlog:gc}), in place of the system property {@value
     * #JVM_OPTIONS_PROPERTY}'s or, without it, the transport's {@link #defaultJvmOptions}. The
     * server's heap, {@code ai.djl.offline} and class path are set either way.
     *
     * @param options one JVM option per element, none for none (not the settings {@value
     *     #JVM_OPTIONS_AUTO} or {@value #JVM_OPTIONS_NONE}: {@link #parseJvmOptions} reads those)
     * @throws IllegalArgumentException as {@link #parseJvmOptions} for an option that is not one,
     *     or for an element that is a setting or holds several options
     */
    public Builder optJvmOptions(List<String> options) {
      if (!parseJvmOptions(String.join(" ", options), transport).equals(options)) {
        throw new IllegalArgumentException(
            "stage JVM options: "
                + options
                + " (expected: one JVM option per element, e.g. ["
                + C1_ONLY
                + "]; '"
                + JVM_OPTIONS_AUTO
                + "' and '"
                + JVM_OPTIONS_NONE
                + "' are settings, read by parseJvmOptions)");
      }
      this.jvmOptions = List.copyOf(options);
      return this;
    }

    /**
     * Keep the log after a clean end too (default: the system property {@value
     * #KEEP_LOGS_PROPERTY}).
     */
    public Builder optKeepLog(boolean keepLog) {
      this.keepLog = keepLog;
      return this;
    }

    /**
     * More {@code serve} options, appended to the command line as given (e.g. {@code --tls-cert
     * FILE --tls-key FILE}); none by default.
     */
    public Builder optServeOptions(List<String> options) {
      this.serveOptions.clear();
      this.serveOptions.addAll(options);
      return this;
    }

    /** CPUs to pin to (default {@link CpuSet#UNPINNED}). */
    public Builder optCpus(CpuSet cpus) {
      this.cpus = java.util.Objects.requireNonNull(cpus, "cpus");
      return this;
    }

    /** torch intra-op threads, >= 1 (default 1). */
    public Builder optThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
      }
      this.threads = threads;
      return this;
    }

    /**
     * Exported model directories the server may load (passed as {@code --models-dir}); none by
     * default.
     */
    public Builder optModelDirectories(List<Path> directories) {
      this.modelDirectories.clear();
      this.modelDirectories.addAll(directories);
      return this;
    }

    /**
     * The shared secret the server requires of its heads (and proves to them, and uses towards its
     * own downstream stages); null (default) for none. It reaches the child through a file only the
     * owner can read, deleted as soon as the child is up.
     */
    public Builder optSecret(io.paretopipe.harness.auth.SharedSecret secret) {
      this.secret = secret;
      return this;
    }

    /**
     * What the server speaks: {@code nio} (default) or {@code grpc}; passed as {@code --transport}.
     */
    public Builder optTransport(TransportKind transport) {
      if (!transport.network()) {
        throw new IllegalArgumentException(
            "stage server transport '"
                + transport
                + "' is not served: valid transports are nio, grpc");
      }
      this.transport = transport;
      return this;
    }

    /**
     * A command prefix the JVM runs under, e.g. {@code ip netns exec NS} to place it in a network
     * namespace; the server then listens on {@code listenHost}.
     */
    public Builder optCommandPrefix(List<String> prefix, String listenHost) {
      this.prefix.clear();
      this.prefix.addAll(prefix);
      this.listenHost = listenHost;
      return this;
    }

    /**
     * Starts the server and waits until it listens.
     *
     * @throws IOException if it fails to start in time, with the tail of its log, or {@value
     *     ReadyLine#LOG_EMPTY} if it wrote nothing (the empty log is then deleted)
     */
    public StageServerProcess start() throws IOException {
      List<String> command = new ArrayList<>(prefix);
      if (cpus.pinned()) {
        if (!CpuAffinity.tasksetAvailable()) {
          throw new IOException(
              "cannot pin the stage server to CPUs "
                  + cpus
                  + ": taskset is missing (apt-get install util-linux)");
        }
        command.addAll(List.of("taskset", "-c", cpus.list()));
      }
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> jvm = jvmOptions != null ? jvmOptions : propertyJvmOptions(transport);
      command.addAll(jvm);
      command.add("-Xmx" + HEAP);
      command.add("-Dai.djl.offline=true");
      int logPropertyAt = command.size();
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("io.paretopipe.harness.cli.ParetoPipeCli");
      command.addAll(
          List.of(
              "serve",
              "--listen",
              listenHost + ":0",
              "--threads",
              Integer.toString(threads),
              "--exit-with-parent",
              "--transport",
              transport.toString()));
      if (io.paretopipe.harness.auth.BindPolicy.needsInsecure(
          java.net.InetAddress.getByName(listenHost), secret != null)) {
        // a prefix placed the server in a private network namespace (NamespacePair) the owner set
        // up
        command.add("--insecure");
      }
      for (Path d : modelDirectories) {
        command.addAll(List.of("--models-dir", d.toString()));
      }
      command.addAll(serveOptions);
      Path secretFile = null;
      if (secret != null) {
        Path dir =
            Files.createTempDirectory(
                "paretopipe-secret-",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        secretFile = dir.resolve("secret");
        // if this JVM dies before the child is up, the JVM's exit still removes them (file first)
        dir.toFile().deleteOnExit();
        secretFile.toFile().deleteOnExit();
        try {
          secret.writeTo(secretFile);
        } catch (IOException | RuntimeException e) {
          Files.deleteIfExists(dir);
          throw e;
        }
        command.addAll(
            List.of(io.paretopipe.harness.auth.SharedSecret.OPTION, secretFile.toString()));
      }
      try {
        Path log = Files.createTempFile("paretopipe-stage-", ".log");
        command.add(logPropertyAt, "-D" + LOG_PROPERTY + "=" + log);
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(Engines.RECOMMENDED_ALLOCATOR_ENV);
        pb.environment().putAll(ARENA_ENV);
        Process process;
        try {
          process = pb.start();
        } catch (IOException | RuntimeException e) {
          Files.deleteIfExists(log); // no child ever had it
          throw e;
        }
        ReadyLine.Listening listening = null;
        try {
          // on an IOException, ReadyLine has ended the child and deleted the log if it was empty
          listening =
              ReadyLine.listen(process, READY_PREFIX, log, START_TIMEOUT_MILLIS, "stage server");
          return new StageServerProcess(process, listening, log, cpus, threads, jvm, keepLog);
        } catch (IOException | RuntimeException e) {
          process.destroyForcibly();
          if (listening != null && listening.awaitEnd(OUTPUT_END_MILLIS)) {
            ReadyLine.deleteIfEmpty(log);
          }
          throw e;
        }
      } finally {
        if (secretFile != null) {
          Files.deleteIfExists(secretFile);
          Files.deleteIfExists(secretFile.getParent());
        }
      }
    }
  }
}
