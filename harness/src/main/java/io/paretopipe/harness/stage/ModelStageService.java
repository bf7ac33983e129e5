package io.paretopipe.harness.stage;

import io.paretopipe.harness.placement.CpuAffinity;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.Downstream;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.transport.StageChannel;
import io.paretopipe.harness.transport.StageService;
import io.paretopipe.harness.transport.StageSession;
import io.paretopipe.harness.transport.Transport;
import io.paretopipe.models.Engines;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.ModelOptions;
import io.paretopipe.models.StageModel;
import io.paretopipe.models.StageRange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The stage server's model side: for each handshake it loads (or takes from its cache) the
 * requested units and opens a session that computes them. One service serves any number of
 * connections and models for its whole life, so a sweep over every split never restarts it.
 *
 * <p>Threads: torch's intra-op thread count is process-wide, so it is fixed when the service is
 * created; a handshake asking for a different count is refused. Thread-safe. Owns the cached
 * stages, bounded by their weights ({@link #limitModelMemory}, default {@value
 * StageCache#DEFAULT_MAX_MIB} MiB); {@link #close()} frees them.
 */
public final class ModelStageService implements StageService, AutoCloseable {

  private static final Duration DOWNSTREAM_TIMEOUT = Duration.ofSeconds(120);

  private Transport downstreamTransport;

  /**
   * What a downstream address in a handshake may look like: HOST:PORT, nothing else (see {@link
   * #key}).
   */
  private static final java.util.regex.Pattern DOWNSTREAM_ADDRESS =
      java.util.regex.Pattern.compile(
          "(?:[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]):(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}"
              + "|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])");

  private final int threads;

  /**
   * Real paths under which exported model directories may be served; see {@link
   * #serveModelDirectories}.
   */
  private volatile List<java.nio.file.Path> modelRoots = List.of();

  /**
   * The same roots as given (absolute, normalized), for the lexical check of a path with symbolic
   * links.
   */
  private volatile List<java.nio.file.Path> modelRootsGiven = List.of();

  private volatile boolean anyModelDirectory;
  private volatile StageCache cache = new StageCache(StageCache.DEFAULT_MAX_MIB << 20);
  private volatile boolean closed;

  /**
   * @param downstreamTransport how a middle stage reaches the next stage
   * @param threads torch intra-op threads for this process, >= 1
   */
  public ModelStageService(Transport downstreamTransport, int threads) {
    this.downstreamTransport = downstreamTransport;
    this.threads = threads;
    Engines.setThreads(threads);
  }

  /**
   * A service for one process: its middle stages reach the next stage in-process, through a {@link
   * io.paretopipe.harness.transport.local.LocalTransport} over this same service.
   */
  public static ModelStageService inProcess(int threads) {
    ModelStageService service = new ModelStageService(null, threads);
    service.anyModelDirectory = true;
    service.downstreamTransport = new io.paretopipe.harness.transport.local.LocalTransport(service);
    return service;
  }

  /**
   * Lets handshakes name exported model directories under {@code roots} (each a directory; a model
   * must be one of them or inside one, after resolving symbolic links). By default a service serves
   * built-in models only: a handshake is network input, and loading TorchScript from a path a peer
   * chooses would let it probe this host's files and run code from anywhere a local user can write.
   * An in-process service ({@link #inProcess}) takes any directory its own process names.
   *
   * @return this
   * @throws IllegalArgumentException naming a root that is not an existing directory
   */
  public ModelStageService serveModelDirectories(List<java.nio.file.Path> roots) {
    List<java.nio.file.Path> real = new ArrayList<>();
    for (java.nio.file.Path root : roots) {
      try {
        java.nio.file.Path r = root.toRealPath();
        if (!java.nio.file.Files.isDirectory(r)) {
          throw new IllegalArgumentException("--models-dir " + root + " is not a directory");
        }
        real.add(r);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--models-dir " + root + " does not exist: " + e.getMessage(), e);
      }
    }
    this.modelRoots = List.copyOf(real);
    this.modelRootsGiven = roots.stream().map(r -> r.toAbsolutePath().normalize()).toList();
    return this;
  }

  /**
   * Bounds the weights of the stages this service keeps loaded ({@code serve --max-model-mib});
   * idle stages are evicted, least recently used first, to make room (see {@link StageCache}). Call
   * before the first handshake.
   *
   * @param mib >= 1
   * @return this
   * @throws IllegalArgumentException for a bound below 1 MiB or above 2^40 MiB
   */
  public ModelStageService limitModelMemory(long mib) {
    if (mib < 1 || mib > (1L << 40)) {
      throw new IllegalArgumentException(
          "--max-model-mib " + mib + " (expected: 1.." + (1L << 40) + " MiB)");
    }
    StageCache old = cache;
    cache = new StageCache(mib << 20);
    old.close();
    return this;
  }

  /** Intra-op threads this service computes with. */
  public int threads() {
    return threads;
  }

  /** Number of distinct stages loaded so far. */
  public int cachedStages() {
    return cache.size();
  }

  @Override
  public StageSession open(Handshake h) throws StageException {
    if (closed) {
      throw new StageException(ErrorCode.CLOSED, "stage server is shutting down");
    }
    if (h.dtype() != DType.FLOAT32) {
      throw new StageException(
          ErrorCode.UNSUPPORTED,
          "dtype " + h.dtype() + " is not supported: models compute in FLOAT32");
    }
    if (h.threads() != 0 && h.threads() != threads) {
      throw new StageException(
          ErrorCode.BAD_HANDSHAKE,
          "this stage server computes with "
              + threads
              + " threads (serve --threads) but the handshake asks for "
              + h.threads()
              + ": ask for 0 or "
              + threads
              + ", or start a server with --threads "
              + h.threads());
    }
    StageKey key = key(h);
    StageCache.Lease lease;
    try {
      ModelBlueprint blueprint = ModelCatalog.blueprint(key.model(), key.options());
      lease =
          cache.acquire(
              key,
              weightBytes(blueprint, key.range()),
              () -> StageModel.load(blueprint.instantiate(), key.range()));
    } catch (RuntimeException e) {
      throw new StageException(
          ErrorCode.INTERNAL,
          "loading "
              + h.model()
              + " units ["
              + h.unitStart()
              + ", "
              + h.unitEnd()
              + ") failed: "
              + e);
    }
    try {
      return openWith(h, lease);
    } catch (StageException | RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  private StageSession openWith(Handshake h, StageCache.Lease lease) throws StageException {
    StageModel stage = lease.model();
    StageChannel downstream = null;
    HandshakeReply downstreamReply = null;
    if (!h.downstream().isEmpty()) {
      Downstream next = h.downstream().get(0);
      Handshake forward =
          new Handshake(
              h.model(),
              h.classes(),
              h.inputShape(),
              h.unitEnd(),
              next.unitEnd(),
              h.batch(),
              h.dtype(),
              h.seed(),
              h.threads(),
              h.modelDigest(),
              h.downstream().subList(1, h.downstream().size()));
      try {
        downstream = downstreamTransport.connect(next.address(), DOWNSTREAM_TIMEOUT);
        downstreamReply = downstream.handshake(forward, DOWNSTREAM_TIMEOUT);
      } catch (StageException e) {
        close(downstream);
        throw new StageException(
            e.code(), "next stage " + next.address() + " refused: " + e.getMessage());
      } catch (IOException | TimeoutException e) {
        close(downstream);
        throw new StageException(
            ErrorCode.DOWNSTREAM_FAILED,
            "cannot reach next stage " + next.address() + ": " + e.getMessage());
      }
    }
    HandshakeReply reply = reply(h, stage, downstreamReply);
    return new ModelStageSession(stage, lease, h.batch(), reply, downstream);
  }

  /**
   * The bytes of a stage's weights (4 per trainable parameter), from the blueprint's static costs,
   * before anything is built.
   */
  static long weightBytes(ModelBlueprint blueprint, StageRange range) {
    List<io.paretopipe.models.UnitCost> all = blueprint.costs();
    int offset = blueprint.hasPrefix() ? 1 : 0;
    long params = 0;
    if (range.prefix() && blueprint.hasPrefix()) {
      params += all.get(0).params();
    }
    for (int i = range.unitStart(); i < range.unitEnd(); i++) {
      params += all.get(offset + i).params();
    }
    if (range.suffix()) {
      params += all.get(all.size() - 1).params();
    }
    return params * Float.BYTES;
  }

  /** Refuses a model directory outside the served roots, before touching the file system for it. */
  private void checkServable(String model) throws StageException {
    if (anyModelDirectory || ModelCatalog.names().contains(model)) {
      return;
    }
    List<java.nio.file.Path> roots = modelRoots;
    String known =
        "unknown model '"
            + model
            + "': known models are "
            + String.join(", ", ModelCatalog.names());
    if (!model.contains("/")) {
      throw new StageException(
          ErrorCode.UNKNOWN_MODEL,
          known
              + (roots.isEmpty()
                  ? ""
                  : ", or an exported model directory (an absolute path) under --models-dir"));
    }
    if (roots.isEmpty()) {
      throw new StageException(
          ErrorCode.UNKNOWN_MODEL,
          known
              + ": this stage server serves the built-in"
              + " models only; to serve exported model directories start it with --models-dir DIR");
    }
    String refusal =
        "model directory "
            + model
            + " is not under a directory this stage server serves"
            + " (--models-dir): copy the export there, or start the server with --models-dir naming its parent";
    java.nio.file.Path path;
    try {
      path = java.nio.file.Path.of(model);
    } catch (java.nio.file.InvalidPathException e) {
      throw new StageException(ErrorCode.UNKNOWN_MODEL, refusal);
    }
    if (!path.isAbsolute() || !path.normalize().equals(path)) {
      throw new StageException(
          ErrorCode.UNKNOWN_MODEL,
          "model directory "
              + model
              + " must be an absolute,"
              + " normalized path (no '.' or '..')");
    }
    if (roots.stream().noneMatch(path::startsWith)
        && modelRootsGiven.stream().noneMatch(path::startsWith)) {
      throw new StageException(ErrorCode.UNKNOWN_MODEL, refusal);
    }
    try {
      java.nio.file.Path real = path.toRealPath();
      if (roots.stream().noneMatch(real::startsWith)) {
        throw new StageException(ErrorCode.UNKNOWN_MODEL, refusal);
      }
    } catch (IOException e) {
      throw new StageException(
          ErrorCode.UNKNOWN_MODEL, "model directory " + model + " does not exist here");
    }
  }

  private StageKey key(Handshake h) throws StageException {
    checkServable(h.model());
    HandshakeBounds.check(h);
    ModelBlueprint blueprint;
    ModelOptions options;
    try {
      options =
          ModelOptions.builder()
              .optClasses(h.classes())
              .optInput(h.inputShape())
              .optSeed(h.seed())
              .build();
      blueprint = ModelCatalog.blueprint(h.model(), options);
    } catch (ArithmeticException e) {
      throw new StageException(
          ErrorCode.BAD_HANDSHAKE,
          "the model the handshake asks for is too large to cost (" + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      ErrorCode code =
          e.getMessage().startsWith("unknown model")
              ? ErrorCode.UNKNOWN_MODEL
              : ErrorCode.BAD_HANDSHAKE;
      throw new StageException(code, e.getMessage());
    }
    int n = blueprint.unitCount();
    if (h.unitEnd() > n || h.unitStart() > n) {
      throw new StageException(
          ErrorCode.BAD_SPLIT,
          "unit range ["
              + h.unitStart()
              + ", "
              + h.unitEnd()
              + ") is out of range for "
              + h.model()
              + ": valid splits are 0.."
              + n);
    }
    int previous = h.unitEnd();
    for (Downstream d : h.downstream()) {
      if (!DOWNSTREAM_ADDRESS.matcher(d.address()).matches()) {
        // the address list is forwarded to the next stage: it must not smuggle text into other
        // protocols
        throw new StageException(
            ErrorCode.BAD_HANDSHAKE,
            "downstream address \""
                + d.address().substring(0, Math.min(80, d.address().length()))
                + "\" is not HOST:PORT: a host"
                + " name of letters, digits, '.' and '-' (at most 253), an IPv4 address or a bracketed IPv6"
                + " literal, and a port 1..65535");
      }
      if (d.unitEnd() <= previous || d.unitEnd() > n) {
        throw new StageException(
            ErrorCode.BAD_SPLIT,
            "downstream unit end "
                + d.unitEnd()
                + " for "
                + h.model()
                + " must be greater than "
                + previous
                + " and at most "
                + n);
      }
      previous = d.unitEnd();
    }
    boolean last = h.downstream().isEmpty();
    if (last && h.unitEnd() != n) {
      throw new StageException(
          ErrorCode.BAD_SPLIT,
          "the last stage must run up to unit "
              + n
              + " of "
              + h.model()
              + " (and the suffix), not "
              + h.unitEnd());
    }
    String digest = blueprint.digest();
    if (!digest.equals(h.modelDigest())) {
      throw new StageException(
          ErrorCode.BAD_HANDSHAKE,
          h.modelDigest().isEmpty()
              ? "model "
                  + h.model()
                  + " is an exported model directory (manifest digest "
                  + digest
                  + ") but the handshake carries no model digest: the head must send the digest it loaded"
              : digest.isEmpty()
                  ? "the handshake carries model digest "
                      + h.modelDigest()
                      + " but "
                      + h.model()
                      + " is a built-in model here (no digest): head and stage disagree on the model"
                  : "model "
                      + h.model()
                      + " here has manifest digest "
                      + digest
                      + " but the head loaded "
                      + h.modelDigest()
                      + ": head and stage must load the same export (copy the"
                      + " directory to this machine again)");
    }
    return new StageKey(
        h.model(), options, new StageRange(1, h.unitStart(), h.unitEnd(), false, last), digest);
  }

  private HandshakeReply reply(Handshake h, StageModel stage, HandshakeReply downstream) {
    List<String> names = new ArrayList<>(stage.unitNames());
    long params = stage.parameterCount();
    long[] output = batched(h.batch(), stage.outputShapePerImage());
    if (downstream != null) {
      names.addAll(downstream.unitNames());
      params += downstream.parameterCount();
      output = downstream.outputShape();
    }
    return new HandshakeReply(
        h.model(),
        names,
        batched(h.batch(), stage.inputShapePerImage()),
        output,
        params,
        ProcessHandle.current().pid(),
        cpusAllowed(),
        threads,
        Engines.versions());
  }

  static long[] batched(long batch, long[] perImage) {
    long[] dims = new long[perImage.length + 1];
    dims[0] = batch;
    System.arraycopy(perImage, 0, dims, 1, perImage.length);
    return dims;
  }

  /** This process's {@code Cpus_allowed_list}, or "" where /proc is not available. */
  public static String cpusAllowed() {
    return CpuAffinity.allowedCpus(ProcessHandle.current().pid());
  }

  private static void close(StageChannel channel) {
    if (channel != null) {
      channel.close();
    }
  }

  @Override
  public void close() {
    closed = true;
    cache.close();
  }
}
