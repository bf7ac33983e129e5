package io.paretopipe.benchmarks;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Drainable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.paretopipe.harness.server.GrpcTuning;
import io.paretopipe.harness.transport.grpc.GrpcTuningKnobs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Would sending a tensor over gRPC in chunks shorten its round trip? One round trip (send, the
 * stage echoes, receive) of a tensor of {@code bytes} bytes over loopback, one request in flight.
 *
 * <p>Why: the {@code grpc} transport sends each tensor as one protobuf message on a bidi stream,
 * and grpc delivers a message only once all of it has arrived. So the four user-space passes over
 * the tensor of a round trip run one after the other: the head's {@code writeTo} into grpc's
 * buffers, the stage's copy out of grpc's frames into one contiguous buffer, the stage's {@code
 * writeTo} of the answer, the head's copy of the answer out of the frames. Sent as chunks of one
 * stream, each side's copy of chunk i can overlap with the transfer of chunk i + 1 (on the other
 * core of a 2-core machine). This probe measures that before the transport's wire format changes.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GrpcChunkBenchmark -p bytes=16777216 -p variant=nio,whole,chunk-1m
 * </pre>
 *
 * Variants ({@code -p variant}):
 *
 * <ul>
 *   <li>{@code nio}: {@link TransportBenchmark} with {@code transport=nio}, {@code
 *       dispatch=run-to-completion}: the real nio transport, the bar to reach.
 *   <li>{@code grpc-tuned}: {@link TransportBenchmark} with {@code transport=grpc}, {@code
 *       grpcTuning=tuned-write-buffer}: the real grpc transport as tuned when this probe was made
 *       (the knobs {@link GrpcTuningKnobs} applies to grpc-java's builders, which the raw echo gets
 *       too; today's {@code tuned} also changes grpc's HTTP/2 handlers, which the raw echo does not
 *       reach).
 *   <li>{@code whole}: a raw grpc-java echo (below) sending the tensor as one message. It repeats
 *       our transport's copy pattern without protobuf, sessions, limits or interceptors, so {@code
 *       whole} against {@code grpc-tuned} calibrates the probe: the chunked variants are to be
 *       compared with {@code whole}, and {@code whole} should be close to {@code grpc-tuned}.
 *   <li>{@code chunk-4m}, {@code chunk-1m}, {@code chunk-256k}, {@code chunk-64k}: the same echo
 *       sending the tensor as chunks of 4 MiB, 1 MiB, 256 KiB, 64 KiB (one chunk if that is at
 *       least the tensor). {@code bytes} must be a multiple of the chunk size.
 * </ul>
 *
 * <p>The raw echo: one bidi-streaming method {@value #METHOD_NAME}, plaintext over loopback, both
 * ends tuned with {@link GrpcTuning#TUNED_WRITE_BUFFER} by the transport's own {@link
 * GrpcTuningKnobs} (a fixed {@value GrpcTuning#TUNED_WINDOW_BYTES}-byte flow-control window, the
 * transport's pooled direct allocator, a write-buffer high water mark of {@value
 * GrpcTuning#TUNED_WRITE_BUFFER_HIGH_BYTES} bytes). As in our transport, the server has its own
 * event loops (one acceptor, Netty's default number of I/O threads) and runs grpc's callbacks on a
 * cached pool of daemon threads named {@code paretopipe-grpc-chunk-stage-N}; the client's channel
 * runs its callbacks on grpc's shared Netty event loop ({@code directExecutor}). One stream, opened
 * in setup, carries every op. A message is a chunk: a 16-byte header (long total tensor bytes, long
 * offset of the chunk, big-endian) and the chunk's bytes. Sending drains the chunk out of the
 * direct source buffer through a 4 KiB heap array into grpc's buffers, as protobuf's {@code
 * writeTo} drains our tensor; receiving copies the chunk once, out of grpc's buffers straight to
 * its offset in one contiguous direct buffer per side, as our {@code PooledMarshaller} copies a
 * message. So every chunk size makes the same number of passes over the tensor as {@code whole}.
 * The server answers once the last chunk of a tensor is in, with chunks of the same size sliced
 * from its buffer, on the same stream; it does not wait for {@code isReady} (grpc buffers what the
 * window does not yet take), and neither does the client, whereas our transport's head waits for
 * {@code isReady} before each message.
 *
 * <p>Setup runs one round trip and checks, for the raw variants, that the echoed tensor equals the
 * sent one byte for byte (the source holds a distinct long at every 8-byte offset, so a chunk at
 * the wrong offset shows); the delegated variants rely on their transports' own tests.
 *
 * <p>Result (docs/TRANSPORT.md, "Streaming the tensor in chunks"): no chunk size separated from
 * {@code whole} over six rounds (1 MiB: 0.94 [0.82, 1.07] at 16 MiB, 1.09 [0.81, 1.46] at 4 MiB;
 * 256 KiB and 64 KiB slower), so the transport keeps one message per tensor. JIT-warm, {@code
 * grpc-tuned} / {@code whole} is 1.07 [0.85, 1.34] at 4 MiB and 0.93 [0.65, 1.34] at 16 MiB (three
 * rounds): our transport costs what grpc-java itself does, ~2.1x {@code nio}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=4g"})
@Warmup(iterations = 6, time = 3)
@Measurement(iterations = 5, time = 2)
public class GrpcChunkBenchmark {
  static final String METHOD_NAME = "paretopipe.probe.Echo/Chunks";

  private static final long TIMEOUT_SECONDS = 60;
  private static final long SHUTDOWN_MILLIS = 5_000;

  /** Tensor size: 4 MiB, 16 MiB. */
  @Param({"4194304", "16777216"})
  public int bytes;

  /** What carries the round trip: see the class comment. */
  @Param({"nio", "grpc-tuned", "whole", "chunk-4m", "chunk-1m", "chunk-256k", "chunk-64k"})
  public String variant;

  private TransportBenchmark delegate;
  private ChunkEcho echo;

  /** What {@link #variant} names. */
  enum Variant {
    NIO("nio", "nio", "default", 0),
    GRPC_TUNED("grpc-tuned", "grpc", "tuned-write-buffer", 0),
    WHOLE("whole", null, null, Integer.MAX_VALUE),
    CHUNK_4M("chunk-4m", null, null, 4 << 20),
    CHUNK_1M("chunk-1m", null, null, 1 << 20),
    CHUNK_256K("chunk-256k", null, null, 256 << 10),
    CHUNK_64K("chunk-64k", null, null, 64 << 10);

    private final String paramName;

    /** The {@link TransportBenchmark} transport this variant delegates to; null: the raw echo. */
    private final String transport;

    /** The delegate's {@code grpcTuning} (nio ignores it); null: the raw echo. */
    private final String grpcTuning;

    /** Largest chunk, bytes: the tensor travels in chunks of {@code min(this, bytes)}. */
    private final int maxChunkBytes;

    Variant(String paramName, String transport, String grpcTuning, int maxChunkBytes) {
      this.paramName = paramName;
      this.transport = transport;
      this.grpcTuning = grpcTuning;
      this.maxChunkBytes = maxChunkBytes;
    }

    /**
     * The variant spelled {@code name}.
     *
     * @throws IllegalArgumentException naming the valid values
     */
    static Variant parse(String name) {
      for (Variant v : values()) {
        if (v.paramName.equals(name)) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "variant \""
              + name
              + "\" is unknown: valid values are "
              + Arrays.stream(values()).map(v -> v.paramName).collect(Collectors.joining(", ")));
    }

    /**
     * The chunk size for a tensor of {@code tensorBytes}.
     *
     * @throws IllegalArgumentException if {@code tensorBytes} is not positive or not a multiple of
     *     it
     */
    int chunkBytes(int tensorBytes) {
      if (tensorBytes <= 0) {
        throw new IllegalArgumentException("bytes: " + tensorBytes + " (expected: > 0)");
      }
      int chunk = Math.min(maxChunkBytes, tensorBytes);
      if (tensorBytes % chunk != 0) {
        throw new IllegalArgumentException(
            "bytes "
                + tensorBytes
                + " is not a multiple of "
                + paramName
                + "'s chunk size of "
                + chunk
                + " bytes: use a multiple of "
                + chunk
                + " (e.g. 4194304 or 16777216), or at most "
                + chunk
                + " bytes for one chunk");
      }
      return chunk;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Variant v = Variant.parse(variant);
    if (v.transport != null) {
      delegate = new TransportBenchmark();
      delegate.bytes = bytes;
      delegate.transport = v.transport;
      delegate.grpcTuning = v.grpcTuning;
      delegate.dispatch = "run-to-completion";
      delegate.pin = false;
      try {
        delegate.setUp();
      } catch (Exception | Error e) {
        closeAll(e);
        throw e;
      }
      return;
    }
    int chunkBytes = v.chunkBytes(bytes);
    try {
      echo = new ChunkEcho(bytes, chunkBytes);
      echo.roundTrip();
      checkEcho();
    } catch (Exception | Error e) {
      closeAll(e);
      throw e;
    }
  }

  /**
   * Throws if the last echo of the raw variants differs from what was sent.
   *
   * @throws IllegalStateException naming the variant and the first differing offset
   */
  void checkEcho() {
    if (echo == null) {
      return;
    }
    int at = echo.source.mismatch(echo.clientReceived);
    if (at >= 0) {
      throw new IllegalStateException(
          "variant "
              + variant
              + " echoed a different tensor of "
              + bytes
              + " bytes: first difference at offset "
              + at
              + " (sent "
              + echo.source.get(at)
              + ", got "
              + echo.clientReceived.get(at)
              + ")");
    }
  }

  /** The raw echo's client-side receive buffer; null for the delegated variants. For tests. */
  ByteBuffer received() {
    return echo == null ? null : echo.clientReceived;
  }

  /** One round trip of the tensor; returns what came back so JMH keeps it. */
  @Benchmark
  public Object roundTrip() throws Exception {
    return delegate != null ? delegate.roundTrip() : echo.roundTrip();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    closeAll(null);
  }

  /**
   * Closes everything. Failures are added to {@code first} as suppressed; with {@code first} null,
   * the first failure is thrown with the rest suppressed.
   */
  private void closeAll(Throwable first) throws Exception {
    Throwable failure = first;
    ChunkEcho e = echo;
    echo = null;
    if (e != null) {
      failure = closing(failure, e::close);
    }
    TransportBenchmark d = delegate;
    delegate = null;
    if (d != null) {
      failure = closing(failure, d::tearDown);
    }
    if (failure != first) {
      if (failure instanceof Error err) {
        throw err;
      }
      throw (Exception) failure;
    }
  }

  /** Runs {@code step}; returns {@code failure}, or what the step threw, the other suppressed. */
  private static Throwable closing(Throwable failure, AutoCloseable step) {
    try {
      step.close();
      return failure;
    } catch (Exception | Error e) {
      if (failure == null) {
        return e;
      }
      failure.addSuppressed(e);
      return failure;
    }
  }

  /**
   * A chunk of a tensor: {@code payload} (position to limit) is the tensor's bytes at {@code
   * offsetBytes}; the tensor has {@code totalBytes}. A received chunk's payload is a view of the
   * receiving side's buffer.
   */
  record Chunk(long totalBytes, long offsetBytes, ByteBuffer payload) {
    static final int HEADER_BYTES = 16;

    boolean last() {
      return offsetBytes + payload.remaining() == totalBytes;
    }
  }

  /**
   * Writes chunks as {@link ChunkStream}s; reads each straight into {@link #destination} at its
   * offset, once. One per side: parsing is serialized per stream, and each side has one stream.
   */
  static final class ChunkMarshaller implements MethodDescriptor.Marshaller<Chunk> {
    private static final int READ_BYTES = 64 << 10;

    private final ByteBuffer destination;

    ChunkMarshaller(ByteBuffer destination) {
      this.destination = destination;
    }

    @Override
    public InputStream stream(Chunk chunk) {
      return new ChunkStream(chunk);
    }

    /**
     * Copies the chunk's payload to its offset in {@link #destination}.
     *
     * @throws io.grpc.StatusRuntimeException ({@code INTERNAL}) for a chunk that does not fit
     */
    @Override
    public Chunk parse(InputStream in) {
      try {
        byte[] header = in.readNBytes(Chunk.HEADER_BYTES);
        if (header.length != Chunk.HEADER_BYTES) {
          throw new IOException("message of " + header.length + " bytes has no chunk header");
        }
        ByteBuffer h = ByteBuffer.wrap(header);
        long total = h.getLong();
        long offset = h.getLong();
        int capacity = destination.capacity();
        if (total != capacity || offset < 0 || offset > capacity) {
          throw new IOException(
              "chunk at offset "
                  + offset
                  + " of a "
                  + total
                  + "-byte tensor does not fit the "
                  + capacity
                  + "-byte buffer");
        }
        int length = copy(in, (int) offset);
        return new Chunk(total, offset, destination.slice((int) offset, length));
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription(e.getMessage()).withCause(e).asRuntimeException();
      }
    }

    /**
     * Copies the rest of {@code in} to {@link #destination} from {@code at}; returns its length.
     */
    private int copy(InputStream in, int at) throws IOException {
      int end = at;
      if (in instanceof KnownLength) {
        checkFits(at, (long) at + in.available());
      }
      // byteBufferSupported asked once: grpc answers it by walking every buffer of the message
      if (in instanceof HasByteBuffer direct && direct.byteBufferSupported()) {
        for (ByteBuffer src = direct.getByteBuffer();
            src != null && src.hasRemaining();
            src = direct.getByteBuffer()) {
          int n = src.remaining();
          checkFits(at, (long) end + n);
          destination.put(end, src, src.position(), n);
          long skipped = in.skip(n);
          if (skipped != n) {
            throw new IOException("skipped " + skipped + " of " + n + " bytes");
          }
          end += n;
        }
        if (in.available() == 0) {
          return end - at;
        }
      }
      byte[] buffer = new byte[READ_BYTES];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        checkFits(at, (long) end + n);
        destination.put(end, buffer, 0, n);
        end += n;
      }
      return end - at;
    }

    private void checkFits(int at, long end) throws IOException {
      if (end > destination.capacity()) {
        throw new IOException(
            "chunk at offset "
                + at
                + " of "
                + (end - at)
                + " bytes or more overruns the "
                + destination.capacity()
                + "-byte buffer");
      }
    }
  }

  /**
   * A chunk as grpc reads it: the header, then the payload. {@link #drainTo} copies the payload out
   * of its (direct) buffer through one 4 KiB heap array, the header at its start, as protobuf's
   * {@code writeTo} does with a tensor wrapped around a direct buffer.
   */
  static final class ChunkStream extends InputStream implements KnownLength, Drainable {
    private static final int DRAIN_BYTES = 4096;

    private final byte[] header = new byte[Chunk.HEADER_BYTES];
    private final ByteBuffer payload;
    private int headerPosition;

    ChunkStream(Chunk chunk) {
      ByteBuffer.wrap(header).putLong(chunk.totalBytes()).putLong(chunk.offsetBytes());
      this.payload = chunk.payload().duplicate();
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int drained = available();
      byte[] buffer = new byte[Math.min(DRAIN_BYTES, drained)];
      while (headerPosition < header.length || payload.hasRemaining()) {
        int fromHeader = Math.min(header.length - headerPosition, buffer.length);
        System.arraycopy(header, headerPosition, buffer, 0, fromHeader);
        headerPosition += fromHeader;
        int fromPayload = Math.min(buffer.length - fromHeader, payload.remaining());
        payload.get(buffer, fromHeader, fromPayload);
        target.write(buffer, 0, fromHeader + fromPayload);
      }
      return drained;
    }

    @Override
    public int read() {
      if (headerPosition < header.length) {
        return header[headerPosition++] & 0xff;
      }
      return payload.hasRemaining() ? payload.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      int fromHeader = Math.min(header.length - headerPosition, len);
      System.arraycopy(header, headerPosition, b, off, fromHeader);
      headerPosition += fromHeader;
      int fromPayload = Math.min(len - fromHeader, payload.remaining());
      payload.get(b, off + fromHeader, fromPayload);
      int n = fromHeader + fromPayload;
      return n == 0 ? -1 : n;
    }

    @Override
    public int available() {
      return header.length - headerPosition + payload.remaining();
    }
  }

  /**
   * The raw echo: a server and a client of {@value #METHOD_NAME} with one stream between them.
   * {@link #roundTrip} runs on one thread at a time; close from that thread.
   */
  static final class ChunkEcho implements AutoCloseable {
    private static final AtomicInteger SERVER_THREADS = new AtomicInteger();

    final ByteBuffer source;
    final ByteBuffer clientReceived;
    private final ByteBuffer serverReceived;
    private final int chunkBytes;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService executor;
    private final Server server;
    private final ManagedChannel channel;
    private final ClientCall<Chunk, Chunk> call;
    private final Replies replies;

    ChunkEcho(int tensorBytes, int chunkBytes) throws IOException {
      this.chunkBytes = chunkBytes;
      this.source = filledBuffer(tensorBytes);
      this.clientReceived = ByteBuffer.allocateDirect(tensorBytes).order(ByteOrder.nativeOrder());
      this.serverReceived = ByteBuffer.allocateDirect(tensorBytes).order(ByteOrder.nativeOrder());
      int maxMessageBytes = (int) Math.min(Integer.MAX_VALUE, tensorBytes + (1L << 20));
      boolean epoll = Epoll.isAvailable();
      IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
      this.boss =
          new MultiThreadIoEventLoopGroup(
              1, new DefaultThreadFactory("paretopipe-grpc-chunk-stage-accept", true), io);
      this.workers =
          new MultiThreadIoEventLoopGroup(
              0, new DefaultThreadFactory("paretopipe-grpc-chunk-stage-io", true), io);
      this.executor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t =
                    new Thread(
                        r, "paretopipe-grpc-chunk-stage-" + SERVER_THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      Server s = null;
      ManagedChannel c = null;
      try {
        NettyServerBuilder serverBuilder =
            NettyServerBuilder.forAddress(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .executor(executor)
                .maxInboundMessageSize(maxMessageBytes)
                .addService(service());
        GrpcTuningKnobs.apply(GrpcTuning.TUNED_WRITE_BUFFER, serverBuilder);
        s = serverBuilder.build().start();
        int port = ((InetSocketAddress) s.getListenSockets().get(0)).getPort();
        NettyChannelBuilder channelBuilder =
            NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(), port)
                .usePlaintext()
                .directExecutor()
                .maxInboundMessageSize(maxMessageBytes);
        GrpcTuningKnobs.apply(GrpcTuning.TUNED_WRITE_BUFFER, channelBuilder);
        c = channelBuilder.build();
        this.replies = new Replies(tensorBytes);
        this.call = c.newCall(method(clientReceived), CallOptions.DEFAULT);
        call.start(replies, new Metadata());
        call.request(1);
      } catch (IOException | RuntimeException | Error e) {
        shutDown(c, s, executor, boss, workers, e);
        throw e;
      }
      this.server = s;
      this.channel = c;
    }

    /** {@code bytes} bytes with a distinct long at every 8-byte offset (and a tail of bytes). */
    private static ByteBuffer filledBuffer(int bytes) {
      ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
      int longs = bytes / Long.BYTES;
      for (int k = 0; k < longs; k++) {
        b.putLong(k * Long.BYTES, (k + 1) * 0x9E3779B97F4A7C15L);
      }
      for (int i = longs * Long.BYTES; i < bytes; i++) {
        b.put(i, (byte) (i + 1));
      }
      return b;
    }

    /** The method as the side reading into {@code destination} marshals it. */
    private static MethodDescriptor<Chunk, Chunk> method(ByteBuffer destination) {
      ChunkMarshaller marshaller = new ChunkMarshaller(destination);
      return MethodDescriptor.<Chunk, Chunk>newBuilder()
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName(METHOD_NAME)
          .setRequestMarshaller(marshaller)
          .setResponseMarshaller(marshaller)
          .build();
    }

    /** The server's side: once a tensor's last chunk is in, sends the tensor back in chunks. */
    private ServerServiceDefinition service() {
      MethodDescriptor<Chunk, Chunk> method = method(serverReceived);
      return ServerServiceDefinition.builder(method.getServiceName())
          .addMethod(
              method,
              ServerCalls.asyncBidiStreamingCall(
                  (StreamObserver<Chunk> answers) ->
                      new StreamObserver<Chunk>() {
                        @Override
                        public void onNext(Chunk chunk) {
                          if (chunk.last()) {
                            sendChunks(serverReceived, answers::onNext);
                          }
                        }

                        @Override
                        public void onError(Throwable t) {
                          // the client cancelled: nothing to answer
                        }

                        @Override
                        public void onCompleted() {
                          answers.onCompleted();
                        }
                      }))
          .build();
    }

    /** Sends {@code tensor} as chunks of {@link #chunkBytes} to {@code out}. */
    private void sendChunks(ByteBuffer tensor, Consumer<Chunk> out) {
      int total = tensor.capacity();
      for (int offset = 0; offset < total; offset += chunkBytes) {
        out.accept(new Chunk(total, offset, tensor.slice(offset, chunkBytes)));
      }
    }

    /**
     * Sends the source tensor and waits until its echo has been copied to {@link #clientReceived}.
     *
     * @return {@link #clientReceived}
     * @throws TimeoutException if the echo is not complete within 60 s
     */
    ByteBuffer roundTrip() throws IOException, TimeoutException, InterruptedException {
      CompletableFuture<Void> done = replies.expect();
      sendChunks(source, call::sendMessage);
      try {
        done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new IOException("the echo failed: " + e.getCause().getMessage(), e.getCause());
      } catch (TimeoutException e) {
        throw new TimeoutException(
            "no complete echo of "
                + source.capacity()
                + " bytes in chunks of "
                + chunkBytes
                + " within "
                + TIMEOUT_SECONDS
                + " s: "
                + replies.receivedBytes
                + " bytes came back");
      }
      return clientReceived;
    }

    /**
     * The client's listener, on grpc's event loop: counts the chunks' bytes (already copied by
     * parsing) and completes the op's future at the tensor's last byte.
     */
    private final class Replies extends ClientCall.Listener<Chunk> {
      private final int tensorBytes;
      private volatile CompletableFuture<Void> pending;
      private volatile long receivedBytes;
      private volatile Status closed;

      Replies(int tensorBytes) {
        this.tensorBytes = tensorBytes;
      }

      /** The future of the next echo; fails at once if the stream is over. */
      CompletableFuture<Void> expect() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        receivedBytes = 0;
        pending = f;
        Status s = closed;
        if (s != null) {
          f.completeExceptionally(s.asRuntimeException());
        }
        return f;
      }

      @Override
      public void onMessage(Chunk chunk) {
        call.request(1);
        CompletableFuture<Void> f = pending;
        long at = receivedBytes;
        if (chunk.totalBytes() != tensorBytes || chunk.offsetBytes() != at) {
          f.completeExceptionally(
              new IOException(
                  "expected the chunk at offset "
                      + at
                      + " of a "
                      + tensorBytes
                      + "-byte tensor, got offset "
                      + chunk.offsetBytes()
                      + " of "
                      + chunk.totalBytes()));
          return;
        }
        receivedBytes = at + chunk.payload().remaining();
        if (chunk.last()) {
          f.complete(null);
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        closed = status;
        CompletableFuture<Void> f = pending;
        if (f != null) {
          f.completeExceptionally(status.asRuntimeException(trailers));
        }
      }
    }

    @Override
    public void close() throws Exception {
      call.cancel("tear-down", null);
      shutDown(channel, server, executor, boss, workers, null);
    }

    /**
     * Shuts each of them (null: skipped) down, waiting up to 5 s for each. Failures are added to
     * {@code first} as suppressed; with {@code first} null, the first one is thrown (wrapped in an
     * {@link IllegalStateException}) with the rest suppressed.
     */
    private static void shutDown(
        ManagedChannel channel,
        Server server,
        ExecutorService executor,
        EventLoopGroup boss,
        EventLoopGroup workers,
        Throwable first) {
      List<AutoCloseable> steps = new ArrayList<>();
      if (channel != null) {
        steps.add(stopping("channel", channel::shutdownNow, channel::awaitTermination));
      }
      if (server != null) {
        steps.add(stopping("server", server::shutdownNow, server::awaitTermination));
      }
      steps.add(stopping("server executor", executor::shutdownNow, executor::awaitTermination));
      for (EventLoopGroup group : List.of(boss, workers)) {
        steps.add(
            stopping(
                "server event loops",
                () -> group.shutdownGracefully(0, SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS),
                group.terminationFuture()::await));
      }
      Throwable failure = first;
      for (AutoCloseable step : steps) {
        failure = closing(failure, step);
      }
      if (failure != null && failure != first) {
        throw new IllegalStateException("cannot shut the chunk echo down: " + failure, failure);
      }
    }

    /** Waits up to a time for something to stop: {@code awaitTermination}'s shape. */
    private interface Termination {
      boolean await(long timeout, TimeUnit unit) throws InterruptedException;
    }

    /** A step that runs {@code stop} and fails if {@code what} has not stopped within 5 s. */
    private static AutoCloseable stopping(String what, Runnable stop, Termination termination) {
      return () -> {
        stop.run();
        if (!termination.await(SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(what + " did not stop within " + SHUTDOWN_MILLIS + " ms");
        }
      };
    }
  }
}
