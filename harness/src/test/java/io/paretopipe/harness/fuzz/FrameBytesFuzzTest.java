package io.paretopipe.harness.fuzz;

import static io.paretopipe.harness.fuzz.DecoderContract.LIMITS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.transport.nio.FrameReader;
import io.paretopipe.harness.transport.nio.TruncatedFrameException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the frame decoder with arbitrary bytes: {@code FrameCodec.decode} frame after frame under
 * the {@link DecoderContract}, and the same bytes through a {@link FrameReader} fed by a channel
 * that hands out a few bytes at a time and times out every few reads (as a socket with a deadline
 * does), which must give exactly the same messages and the same rejection, and report {@link
 * FrameReader#inFrame()} truthfully at every timeout.
 *
 * <p>{@code mvn verify} runs {@link #anyBytes} once per committed input in {@code
 * FrameBytesFuzzTestInputs/anyBytes/} (see {@link SeedCorpus}); {@code .ci/fuzz} runs it under
 * Jazzer's coverage-guided fuzzing for a bounded time.
 */
class FrameBytesFuzzTest {

  @FuzzTest(maxDuration = "20s")
  void anyBytes(byte[] input) {
    TimeLimit.run(input, () -> decodeBothWays(input));
  }

  private static void decodeBothWays(byte[] input) {
    List<Object> whole = decodeAll(input);
    List<Object> streamed = readAll(input);
    if (whole.size() != streamed.size()) {
      throw DecoderContract.violation(
          "FrameCodec.decode gave " + whole + " but the stream reader gave " + streamed,
          input,
          0,
          null);
    }
    for (int i = 0; i < whole.size(); i++) {
      Object a = whole.get(i);
      Object b = streamed.get(i);
      boolean same;
      if (a instanceof Message x && b instanceof Message y) {
        same = DecoderContract.sameMessage(x, y);
      } else {
        same =
            a instanceof ProtocolException x
                && b instanceof ProtocolException y
                && DecoderContract.sameRejection(x, y);
      }
      if (!same) {
        throw DecoderContract.violation(
            "item " + i + ": FrameCodec.decode gave " + a + " but the stream reader gave " + b,
            input,
            0,
            b instanceof Throwable t ? t : null);
      }
    }
  }

  /**
   * Frames decoded one after the other from the whole buffer; the last item may be the rejection.
   */
  private static List<Object> decodeAll(byte[] input) {
    List<Object> out = new ArrayList<>();
    int offset = 0;
    while (offset < input.length) {
      DecoderContract.Outcome o =
          DecoderContract.decode(DecoderContract.FRAME_CODEC, input, offset);
      if (!o.accepted()) {
        out.add(o.rejection());
        break;
      }
      out.add(o.message());
      offset += o.consumedBytes();
    }
    return out;
  }

  /** The same, through a FrameReader over a choppy channel that times out now and then. */
  private static List<Object> readAll(byte[] input) {
    ChoppyChannel channel = new ChoppyChannel(input);
    FrameReader reader = new FrameReader(channel, LIMITS);
    List<Object> out = new ArrayList<>();
    long frameStart = 0;
    int maxReads = 4 * input.length + 64;
    for (int calls = 0; ; calls++) {
      if (calls > maxReads) {
        throw DecoderContract.violation(
            "the stream reader made no progress after " + calls + " calls", input, 0, null);
      }
      try {
        Message m = reader.read();
        if (m == null) {
          if (channel.consumed() != input.length) {
            throw DecoderContract.violation(
                "the stream reader reported a clean end after "
                    + channel.consumed()
                    + " of "
                    + input.length
                    + " bytes",
                input,
                0,
                null);
          }
          return out;
        }
        out.add(m);
        frameStart = channel.consumed();
      } catch (SocketTimeoutException timeout) {
        boolean partial = channel.consumed() > frameStart;
        if (reader.inFrame() != partial) {
          throw DecoderContract.violation(
              "after a timeout with "
                  + (channel.consumed() - frameStart)
                  + " bytes of the next frame read, inFrame() is "
                  + reader.inFrame(),
              input,
              0,
              timeout);
        }
      } catch (ProtocolException e) {
        out.add(e);
        return out;
      } catch (IOException | RuntimeException e) {
        throw DecoderContract.violation("the stream reader threw " + e, input, 0, e);
      }
    }
  }

  /**
   * Hands out 1..13 bytes per read and throws a {@link SocketTimeoutException} on every 2nd..6th
   * call, in a pattern fixed by the input's hash so that every run of an input is the same.
   */
  private static final class ChoppyChannel implements ReadableByteChannel {
    private final byte[] bytes;
    private final int seed;
    private final int timeoutPeriod;
    private int position;
    private int calls;

    ChoppyChannel(byte[] bytes) {
      this.bytes = bytes;
      this.seed = Arrays.hashCode(bytes);
      this.timeoutPeriod = 2 + Math.floorMod(seed, 5);
    }

    long consumed() {
      return position;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      calls++;
      if (calls % timeoutPeriod == 0) {
        throw new SocketTimeoutException("simulated read deadline");
      }
      if (position == bytes.length) {
        return -1;
      }
      int n =
          Math.min(
              dst.remaining(),
              Math.min(bytes.length - position, 1 + Math.floorMod(seed + 7 * calls, 13)));
      dst.put(bytes, position, n);
      position += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  // ---- the corpus and the contract itself ----

  /**
   * The code each malformed seed of {@link #anyBytes} must be rejected with. Seeds named {@code
   * valid-*} and {@code meta-error-unknown-code} (a code from a newer peer: kept as UNKNOWN, §5)
   * must be accepted; {@code truncated-*} rejected as truncated.
   */
  private static final Map<String, ErrorCode> SEED_OUTCOMES =
      Map.ofEntries(
          Map.entry("http-request", ErrorCode.BAD_FRAME),
          Map.entry("bad-version", ErrorCode.UNSUPPORTED_VERSION),
          Map.entry("unknown-frame-type", ErrorCode.BAD_FRAME),
          Map.entry("flags-set", ErrorCode.BAD_FRAME),
          Map.entry("meta-length-4GiB", ErrorCode.FRAME_TOO_LARGE),
          Map.entry("payload-length-over-limit", ErrorCode.FRAME_TOO_LARGE),
          Map.entry("payload-length-negative", ErrorCode.FRAME_TOO_LARGE),
          Map.entry("payload-on-handshake", ErrorCode.BAD_FRAME),
          Map.entry("payload-mismatch", ErrorCode.BAD_FRAME),
          Map.entry("meta-error-invalid-utf8", ErrorCode.BAD_FRAME),
          Map.entry("meta-error-utf8-surrogate", ErrorCode.BAD_FRAME),
          Map.entry("meta-error-string-over-limit", ErrorCode.FRAME_TOO_LARGE),
          Map.entry("meta-error-string-beyond-metadata", ErrorCode.BAD_FRAME),
          Map.entry("meta-error-trailing-bytes", ErrorCode.BAD_FRAME),
          Map.entry("meta-request-id-minus-one", ErrorCode.BAD_FRAME),
          Map.entry("meta-request-unknown-dtype", ErrorCode.BAD_FRAME),
          Map.entry("meta-request-bad-byte-order", ErrorCode.BAD_FRAME),
          Map.entry("meta-request-rank-over-limit", ErrorCode.FRAME_TOO_LARGE),
          Map.entry("meta-request-negative-dimension", ErrorCode.BAD_FRAME),
          Map.entry("meta-request-size-overflow", ErrorCode.FRAME_TOO_LARGE),
          Map.entry("meta-result-negative-timing", ErrorCode.BAD_FRAME),
          Map.entry("meta-result-timings-beyond-metadata", ErrorCode.BAD_FRAME),
          Map.entry("meta-reply-list-over-limit", ErrorCode.FRAME_TOO_LARGE),
          Map.entry("meta-handshake-batch-zero", ErrorCode.BAD_HANDSHAKE),
          Map.entry("meta-handshake-reversed-units", ErrorCode.BAD_HANDSHAKE),
          Map.entry("meta-handshake-empty-model", ErrorCode.BAD_HANDSHAKE),
          Map.entry("meta-handshake-zero-input-dimension", ErrorCode.BAD_HANDSHAKE),
          Map.entry("meta-handshake-negative-threads", ErrorCode.BAD_HANDSHAKE),
          Map.entry("meta-handshake-empty-downstream-address", ErrorCode.BAD_HANDSHAKE),
          Map.entry("meta-handshake-negative-downstream-end", ErrorCode.BAD_HANDSHAKE),
          Map.entry("meta-handshake-unknown-dtype", ErrorCode.BAD_FRAME),
          Map.entry("meta-handshake-input-count-over-limit", ErrorCode.FRAME_TOO_LARGE),
          Map.entry("meta-handshake-model-invalid-utf8", ErrorCode.BAD_FRAME),
          Map.entry("meta-handshake-trailing-bytes", ErrorCode.BAD_FRAME),
          Map.entry("meta-handshake-truncated-metadata", ErrorCode.BAD_FRAME),
          Map.entry("meta-auth-challenge-empty", ErrorCode.BAD_FRAME),
          Map.entry("meta-auth-proof-over-limit", ErrorCode.FRAME_TOO_LARGE),
          Map.entry("meta-auth-accept-beyond-metadata", ErrorCode.BAD_FRAME),
          Map.entry("meta-auth-accept-trailing-bytes", ErrorCode.BAD_FRAME));

  @Test
  void everySeedDecodesAsItsNameSays() {
    Map<String, byte[]> seeds = SeedCorpus.anyBytes();
    for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
      String name = seed.getKey();
      DecoderContract.Outcome o = DecoderContract.decode(seed.getValue());
      if (name.startsWith("valid-") || name.equals("meta-error-unknown-code")) {
        assertTrue(o.accepted(), () -> name + " must decode, got " + o.rejection());
      } else if (name.startsWith("truncated-")) {
        assertInstanceOf(TruncatedFrameException.class, o.rejection(), name);
      } else {
        assertNotNull(o.rejection(), () -> name + " must be rejected, got " + o.message());
        assertEquals(
            SEED_OUTCOMES.get(name),
            o.rejection().code(),
            () -> name + ": " + o.rejection().getMessage());
      }
    }
    assertTrue(seeds.keySet().containsAll(SEED_OUTCOMES.keySet()), "every listed seed exists");
  }

  @Test
  void seedCorpusIsCurrent() throws IOException {
    for (Map.Entry<String, byte[]> seed : SeedCorpus.all().entrySet()) {
      try (InputStream in = FrameBytesFuzzTest.class.getResourceAsStream(seed.getKey())) {
        assertNotNull(
            in,
            () ->
                "seed "
                    + seed.getKey()
                    + " is not committed under src/test/resources/"
                    + "io/paretopipe/harness/fuzz: regenerate the corpus as SeedCorpus's Javadoc says");
        assertArrayEquals(
            seed.getValue(),
            in.readAllBytes(),
            () ->
                "seed "
                    + seed.getKey()
                    + " differs from what SeedCorpus generates (did the protocol change?): regenerate the corpus as "
                    + "SeedCorpus's Javadoc says");
      }
    }
  }

  @Test
  void theContractCatchesAnUntypedException() {
    byte[] frame = SeedCorpus.anyBytes().get("valid-error-request");
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                DecoderContract.decode(
                    in -> {
                      throw new IndexOutOfBoundsException("index 40 out of bounds for length 37");
                    },
                    frame,
                    0));
    assertTrue(
        e.getMessage().contains("decoding threw java.lang.IndexOutOfBoundsException"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith(
                "input (37 bytes): 505049500001050000000011000000000000000000000000000000070007"
                    + "00000003626164"),
        e.getMessage());
  }

  @Test
  void theContractCatchesAllocationBeyondTheLimits() {
    byte[] frame = SeedCorpus.anyBytes().get("meta-length-4GiB");
    AssertionError direct =
        assertThrows(
            AssertionError.class,
            () ->
                DecoderContract.decode(
                    in -> {
                      ByteBuffer.allocateDirect((int) DecoderContract.directBudgetBytes() + 1);
                      throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, "too large");
                    },
                    frame,
                    0));
    assertTrue(
        direct.getMessage().contains("bytes of direct memory: the budget is"), direct.getMessage());
    AssertionError heap =
        assertThrows(
            AssertionError.class,
            () ->
                DecoderContract.decode(
                    in -> {
                      byte[] sink = new byte[(int) DecoderContract.HEAP_BUDGET_BYTES + 1];
                      throw new ProtocolException(
                          ErrorCode.FRAME_TOO_LARGE, "too large " + sink.length);
                    },
                    frame,
                    0));
    assertTrue(heap.getMessage().contains("heap bytes: the budget is 1048576"), heap.getMessage());
  }

  @Test
  void theContractCatchesUndocumentedCodesAndFalseTruncation() {
    byte[] frame = SeedCorpus.anyBytes().get("valid-error-request");
    AssertionError internal =
        assertThrows(
            AssertionError.class,
            () ->
                DecoderContract.decode(
                    in -> {
                      throw new ProtocolException(ErrorCode.INTERNAL, "oops");
                    },
                    frame,
                    0));
    assertTrue(
        internal.getMessage().contains("rejected with code INTERNAL"), internal.getMessage());
    AssertionError truncated =
        assertThrows(
            AssertionError.class,
            () ->
                DecoderContract.decode(
                    in -> {
                      throw new TruncatedFrameException("ended early");
                    },
                    frame,
                    0));
    assertTrue(
        truncated
            .getMessage()
            .contains("rejected as truncated although the 37 bytes hold the whole"),
        truncated.getMessage());
    AssertionError blank =
        assertThrows(
            AssertionError.class,
            () ->
                DecoderContract.decode(
                    in -> {
                      throw new ProtocolException(ErrorCode.BAD_FRAME, " ");
                    },
                    frame,
                    0));
    assertTrue(blank.getMessage().contains("a rejection needs a message"), blank.getMessage());
    assertTrue(DecoderContract.decode(frame).accepted(), "the real decoder accepts it");
  }
}
