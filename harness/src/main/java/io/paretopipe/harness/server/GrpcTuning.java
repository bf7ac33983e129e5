package io.paretopipe.harness.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the {@code grpc} transport's Netty/HTTP/2 layer is configured, on both the stage server and
 * the head's channel: grpc-java's defaults, each knob alone (to measure it), or all knobs that help
 * large tensors ({@link #TUNED}). Names as {@code serve --grpc-tuning} and the JMH parameter {@code
 * grpcTuning} spell them.
 *
 * <p>The knobs (docs/TRANSPORT.md has what each one measured):
 *
 * <ul>
 *   <li>{@code window}: a fixed HTTP/2 flow-control window of {@value #TUNED_WINDOW_BYTES} bytes
 *       per stream and connection, instead of grpc-java's 1 MiB that its BDP estimator grows from
 *       pings. A stream can then have a whole 16 MiB tensor on the wire without waiting for a
 *       WINDOW_UPDATE; the memory a peer can make the other side buffer grows to the same bound.
 *   <li>{@code allocator}: Netty's pooled direct allocator with {@value #TUNED_ALLOCATOR_MAX_ORDER}
 *       as max order (8 KiB pages, 16 MiB chunks) instead of the allocator grpc-java shares between
 *       its channels, so the buffers a large message is written into come from the pool instead of
 *       being allocated and freed per message.
 *   <li>{@code direct-executor}: the stage server runs grpc's callbacks (and with {@link
 *       DispatchStrategy#RUN_TO_COMPLETION} the compute) on Netty's event loop instead of handing
 *       each to a pooled thread. Measured only: a forward on the event loop holds up every other
 *       stream of that loop, so {@link #TUNED} leaves it off.
 *   <li>{@code socket-buffers}: fixed {@value #TUNED_SOCKET_BUFFER_BYTES}-byte {@code SO_RCVBUF}
 *       and {@code SO_SNDBUF} on the server's connections and the channel (the kernel doubles them
 *       and caps them at {@code net.core.rmem_max} / {@code wmem_max}); setting them turns off
 *       Linux's buffer auto-tuning for those sockets. Measured only: {@link #TUNED} leaves it off.
 *   <li>{@code recv-buffer}: Netty reads each connection into buffers that grow up to {@value
 *       #TUNED_RECV_BUFFER_MAX_BYTES} bytes (an adaptive allocator, from {@value
 *       #TUNED_RECV_BUFFER_INITIAL_BYTES}) instead of Netty's default of at most 64 KiB per read: a
 *       16 MiB message is then read in fewer, larger {@code read} calls.
 *   <li>{@code write-buffer}: a write-buffer high water mark of {@value
 *       #TUNED_WRITE_BUFFER_HIGH_BYTES} bytes (low: half of it) instead of Netty's 64 KiB. Netty's
 *       HTTP/2 flow controller frames a message only while the connection is writable, so with the
 *       default it frames, writes and flushes 64 KiB at a time; with this one a whole window's
 *       worth is framed and handed to one gathering write.
 *   <li>{@code composite-cumulator}: the HTTP/2 handlers (Netty {@code ByteToMessageDecoder}s) of
 *       the stage server and of the head's channel keep the buffers they read as the parts of one
 *       composite buffer ({@code COMPOSITE_CUMULATOR}) instead of copying each into one growing
 *       buffer ({@code MERGE_CUMULATOR}, Netty's default): one pass fewer over every received
 *       tensor, on each side. grpc-java has no option for it; the server's connection gate sets it
 *       on each accepted connection's handler once grpc has added it, and the head's channel, to
 *       reach its socket, runs on one event-loop thread of its own instead of grpc's shared loops.
 *   <li>{@code large-frames}: each end of a connection tells its peer, in a SETTINGS frame after
 *       grpc's preface, that it accepts HTTP/2 DATA frames of up to {@value #LARGE_FRAME_BYTES}
 *       bytes (HTTP/2's largest) instead of the 16 KiB grpc-java keeps, so a message crosses in as
 *       few frames as the flow-control window and the write buffer allow instead of one per 16 KiB.
 *       grpc-java has no option for it; set where {@code composite-cumulator} is. Netty reads a
 *       frame whole before decoding it, so with the default merge cumulator a large frame is
 *       gathered by copying it into ever larger buffers (twice {@code tuned}'s round trip at 4 MiB
 *       in a first probe): it belongs with {@code composite-cumulator}. A connection can then make
 *       its peer buffer one frame of up to {@value #LARGE_FRAME_BYTES} bytes before its flow
 *       control is checked, the same bound the 16 MiB window already gives.
 * </ul>
 *
 * <p>The combinations: {@link #TUNED} is {@code window}, {@code allocator}, {@code write-buffer},
 * {@code composite-cumulator} and {@code large-frames} (since 2026-12-07, 21:00 UTC); before that
 * it was the first three, now {@code tuned-write-buffer}; before that the first two, now {@code
 * window-allocator}. {@code tuned-recv-buffer} is {@code window-allocator} plus {@code
 * recv-buffer}; {@code tuned-composite} is {@code tuned-write-buffer} plus {@code
 * composite-cumulator} (today's {@code tuned} without {@code large-frames}). Alone, {@code
 * recv-buffer} and {@code write-buffer} run with grpc's own allocator, whose 2 MiB chunks are freed
 * and mapped again as 16 MiB messages come and go (page faults in kernel time on every thread that
 * allocates); that cost hides what the knob does, so each was measured on top of the pooled
 * allocator too.
 *
 * <p>What grpc-java does not offer: sending a message's bytes without copying them into its own
 * buffers (a protobuf message is drained into grpc's buffers once).
 */
public enum GrpcTuning {
  DEFAULT(false, false, false, false, false, false, false, false),
  WINDOW(true, false, false, false, false, false, false, false),
  ALLOCATOR(false, true, false, false, false, false, false, false),
  DIRECT_EXECUTOR(false, false, true, false, false, false, false, false),
  TUNED(true, true, false, false, false, true, true, true),
  SOCKET_BUFFERS(false, false, false, true, false, false, false, false),
  RECV_BUFFER(false, false, false, false, true, false, false, false),
  WRITE_BUFFER(false, false, false, false, false, true, false, false),
  TUNED_RECV_BUFFER(true, true, false, false, true, false, false, false),
  TUNED_WRITE_BUFFER(true, true, false, false, false, true, false, false),
  WINDOW_ALLOCATOR(true, true, false, false, false, false, false, false),
  COMPOSITE_CUMULATOR(false, false, false, false, false, false, true, false),
  TUNED_COMPOSITE(true, true, false, false, false, true, true, false),
  LARGE_FRAMES(false, false, false, false, false, false, false, true);

  /** Flow-control window of {@code window}, bytes: 16 MiB. */
  public static final int TUNED_WINDOW_BYTES = 16 << 20;

  /** Max order of the {@code allocator} knob's pool: 8 KiB << 11 = 16 MiB chunks. */
  public static final int TUNED_ALLOCATOR_MAX_ORDER = 11;

  /** {@code SO_RCVBUF} and {@code SO_SNDBUF} of {@code socket-buffers}, bytes: 4 MiB. */
  public static final int TUNED_SOCKET_BUFFER_BYTES = 4 << 20;

  /** First read buffer of {@code recv-buffer}, bytes: 64 KiB (Netty's largest by default). */
  public static final int TUNED_RECV_BUFFER_INITIAL_BYTES = 64 << 10;

  /** Largest read buffer of {@code recv-buffer}, bytes: 1 MiB. */
  public static final int TUNED_RECV_BUFFER_MAX_BYTES = 1 << 20;

  /**
   * SETTINGS_MAX_FRAME_SIZE of {@code large-frames}, bytes: HTTP/2's largest, 2^24 - 1 (grpc keeps
   * Netty's 16 KiB).
   */
  public static final int LARGE_FRAME_BYTES = (1 << 24) - 1;

  /** Write-buffer high water mark of {@code write-buffer}, bytes: 8 MiB (low: 4 MiB). */
  public static final int TUNED_WRITE_BUFFER_HIGH_BYTES = 8 << 20;

  private final boolean fixedWindow;
  private final boolean pooledAllocator;
  private final boolean directExecutor;
  private final boolean socketBuffers;
  private final boolean recvBuffer;
  private final boolean writeBuffer;
  private final boolean compositeCumulator;
  private final boolean largeFrames;

  GrpcTuning(
      boolean fixedWindow,
      boolean pooledAllocator,
      boolean directExecutor,
      boolean socketBuffers,
      boolean recvBuffer,
      boolean writeBuffer,
      boolean compositeCumulator,
      boolean largeFrames) {
    this.fixedWindow = fixedWindow;
    this.pooledAllocator = pooledAllocator;
    this.directExecutor = directExecutor;
    this.socketBuffers = socketBuffers;
    this.recvBuffer = recvBuffer;
    this.writeBuffer = writeBuffer;
    this.compositeCumulator = compositeCumulator;
    this.largeFrames = largeFrames;
  }

  /** True: a fixed {@value #TUNED_WINDOW_BYTES}-byte flow-control window, no BDP estimation. */
  public boolean fixedWindow() {
    return fixedWindow;
  }

  /** True: Netty's pooled direct allocator with 16 MiB chunks on both sides. */
  public boolean pooledAllocator() {
    return pooledAllocator;
  }

  /** True: the server's callbacks run on Netty's event loop. */
  public boolean directExecutor() {
    return directExecutor;
  }

  /** True: fixed {@value #TUNED_SOCKET_BUFFER_BYTES}-byte socket buffers on both sides. */
  public boolean socketBuffers() {
    return socketBuffers;
  }

  /** True: read buffers up to {@value #TUNED_RECV_BUFFER_MAX_BYTES} bytes on both sides. */
  public boolean recvBuffer() {
    return recvBuffer;
  }

  /** True: a {@value #TUNED_WRITE_BUFFER_HIGH_BYTES}-byte write-buffer high water mark. */
  public boolean writeBuffer() {
    return writeBuffer;
  }

  /**
   * True: the HTTP/2 handlers of the stage server and of the head's channel gather the bytes they
   * have read into a composite buffer instead of copying them into one growing buffer.
   */
  public boolean compositeCumulator() {
    return compositeCumulator;
  }

  /**
   * True: each end of a connection accepts DATA frames of up to {@value #LARGE_FRAME_BYTES} bytes
   * and says so to the peer, so a message crosses in as few frames as the flow-control window
   * allows instead of one per 16 KiB.
   */
  public boolean largeFrames() {
    return largeFrames;
  }

  /** The name as {@code --grpc-tuning} and {@code -p grpcTuning} spell it. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Every name {@link #parse} accepts, comma-separated. */
  public static String names() {
    return Arrays.stream(values()).map(GrpcTuning::cliName).collect(Collectors.joining(", "));
  }

  /**
   * The tuning called {@code name}, case-insensitive.
   *
   * @throws IllegalArgumentException naming the valid names
   */
  public static GrpcTuning parse(String name) {
    for (GrpcTuning t : values()) {
      if (t.cliName().equalsIgnoreCase(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "grpc tuning \"" + name + "\" is unknown: valid names are " + names());
  }

  @Override
  public String toString() {
    return cliName();
  }
}
