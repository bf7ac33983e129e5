package io.paretopipe.harness.fuzz;

import static io.paretopipe.harness.fuzz.DecoderContract.LIMITS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.paretopipe.harness.auth.AuthenticationException;
import io.paretopipe.harness.auth.Authenticator;
import io.paretopipe.harness.auth.ClientProof;
import io.paretopipe.harness.auth.SecretException;
import io.paretopipe.harness.auth.SharedSecret;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.ProtocolException;
import io.paretopipe.harness.transport.nio.FrameCodec;
import io.paretopipe.harness.transport.nio.FrameType;
import io.paretopipe.harness.transport.nio.HandshakeBinding;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the handshake parser, the first thing a stage decodes from a peer it does not know yet.
 * The input is the metadata section of a HANDSHAKE frame. On every input:
 *
 * <ul>
 *   <li>{@link SpecOracle}: {@code FrameCodec} and the {@link SpecDecoder} agree (the same
 *       handshake, or the same code: {@code BAD_HANDSHAKE} for a field out of its §3.1 range,
 *       {@code FRAME_TOO_LARGE} for a string or list over its limit, {@code BAD_FRAME} otherwise),
 *       within the {@link DecoderContract};
 *   <li>an accepted handshake's authentication context ({@link HandshakeBinding#of}) is exactly the
 *       frame that was on the wire, so head and stage bind proofs to the same bytes;
 *   <li>the same bytes as an authentication proof ({@link ClientProof#decode}, then {@link
 *       Authenticator#verify}) are refused with an {@link AuthenticationException} and nothing
 *       else.
 * </ul>
 */
class HandshakeFuzzTest {
  private static final Authenticator STAGE = Authenticator.create(secret());

  private static SharedSecret secret() {
    try {
      return SharedSecret.of(
          "fuzzing-secret-fuzzing-secret-fuzzing".getBytes(StandardCharsets.UTF_8), "fuzz");
    } catch (SecretException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest(maxDuration = "20s")
  void handshake(byte[] meta) {
    TimeLimit.run(
        meta,
        () -> {
          DecoderContract.Outcome o = SpecOracle.check(FrameType.HANDSHAKE, meta, false);
          if (o.accepted()) {
            checkBinding((Handshake) o.message(), meta);
          }
          checkProofParser(meta, meta);
        });
  }

  private static void checkBinding(Handshake h, byte[] meta) {
    byte[] frame =
        Frames.concat(
            Frames.header(
                FrameCodec.MAGIC,
                FrameCodec.VERSION,
                FrameType.HANDSHAKE.code(),
                0,
                meta.length,
                0),
            meta);
    byte[] binding;
    try {
      binding = HandshakeBinding.of(h, LIMITS);
    } catch (ProtocolException e) {
      throw DecoderContract.violation(
          "an accepted handshake has no authentication context: " + e, frame, 0, e);
    }
    if (!Arrays.equals(frame, binding)) {
      throw DecoderContract.violation(
          "the authentication context of " + h + " is not the frame on the wire", frame, 0, null);
    }
  }

  /**
   * Checks {@code bytes} as a proof for {@code context}: it must be refused with an
   * AuthenticationException.
   */
  private static void checkProofParser(byte[] bytes, byte[] context) {
    try {
      STAGE.verify(ClientProof.decode(bytes), context, null);
    } catch (AuthenticationException expected) {
      if (expected.getMessage() == null || expected.getMessage().isBlank()) {
        throw DecoderContract.violation(
            "an authentication refusal without a message", bytes, 0, expected);
      }
      return;
    } catch (RuntimeException e) {
      throw DecoderContract.violation(
          "checking the bytes as an authentication proof threw " + e, bytes, 0, e);
    }
    throw DecoderContract.violation(
        "arbitrary bytes verified as an authentication proof", bytes, 0, null);
  }

  @Test
  void everySeedDecodesAsItsNameSays() {
    Map<String, ErrorCode> rejected =
        Map.ofEntries(
            Map.entry("handshake-batch-zero", ErrorCode.BAD_HANDSHAKE),
            Map.entry("handshake-reversed-units", ErrorCode.BAD_HANDSHAKE),
            Map.entry("handshake-empty-model", ErrorCode.BAD_HANDSHAKE),
            Map.entry("handshake-zero-input-dimension", ErrorCode.BAD_HANDSHAKE),
            Map.entry("handshake-negative-threads", ErrorCode.BAD_HANDSHAKE),
            Map.entry("handshake-empty-downstream-address", ErrorCode.BAD_HANDSHAKE),
            Map.entry("handshake-negative-downstream-end", ErrorCode.BAD_HANDSHAKE),
            Map.entry("handshake-unknown-dtype", ErrorCode.BAD_FRAME),
            Map.entry("handshake-input-count-over-limit", ErrorCode.FRAME_TOO_LARGE),
            Map.entry("handshake-model-invalid-utf8", ErrorCode.BAD_FRAME),
            Map.entry("handshake-trailing-bytes", ErrorCode.BAD_FRAME),
            Map.entry("handshake-truncated-metadata", ErrorCode.BAD_FRAME));
    for (Map.Entry<String, byte[]> seed : SeedCorpus.handshakes().entrySet()) {
      String name = seed.getKey();
      DecoderContract.Outcome o = SpecOracle.check(FrameType.HANDSHAKE, seed.getValue(), false);
      if (name.startsWith("valid-")) {
        assertNull(o.rejection(), name);
        checkBinding((Handshake) o.message(), seed.getValue());
      } else {
        assertEquals(
            rejected.get(name),
            o.rejection().code(),
            () -> name + ": " + o.rejection().getMessage());
      }
    }
    assertEquals(
        rejected.size() + 3, SeedCorpus.handshakes().size(), "every malformed seed is listed");
  }

  @Test
  void theProofCheckCatchesAProofThatVerifies() throws Exception {
    byte[] context = {1, 2, 3};
    byte[] valid = Authenticator.create(secret()).prove(STAGE.newChallenge(), context).encode();
    AssertionError e = assertThrows(AssertionError.class, () -> checkProofParser(valid, context));
    assertTrue(
        e.getMessage()
            .startsWith(
                "decoder contract violated: arbitrary bytes verified as an authentication "
                    + "proof"),
        e.getMessage());
    checkProofParser(valid, new byte[] {1, 2, 4});
  }
}
