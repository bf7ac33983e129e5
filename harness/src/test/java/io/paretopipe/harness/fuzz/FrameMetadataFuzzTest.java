package io.paretopipe.harness.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.ErrorReport;
import io.paretopipe.harness.protocol.Message;
import io.paretopipe.harness.transport.nio.FrameType;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the metadata decoding of every frame type against the document: the first input byte picks
 * the frame type (low 7 bits, modulo 5, in {@link SpecOracle#TYPES} order) and whether the header
 * declares one payload byte too many (top bit); the rest is the metadata section, which the target
 * wraps in a well-formed header and, for REQUEST and RESULT, the payload its tensor header calls
 * for. {@link SpecOracle} then requires {@code FrameCodec} and the independent {@link SpecDecoder}
 * to agree, on top of the {@link DecoderContract}. Wrapping the header this way lets the fuzzer
 * spend its time inside the fields instead of on magic numbers and lengths.
 */
class FrameMetadataFuzzTest {

  /** The selector byte for a frame type. */
  static byte selector(FrameType type, boolean payloadOffByOne) {
    return (byte) (SpecOracle.TYPES.indexOf(type) | (payloadOffByOne ? 0x80 : 0));
  }

  @FuzzTest(maxDuration = "20s")
  void eachFrameType(byte[] input) {
    if (input.length == 0) {
      return;
    }
    FrameType type = SpecOracle.TYPES.get((input[0] & 0x7F) % SpecOracle.TYPES.size());
    byte[] meta = Arrays.copyOfRange(input, 1, input.length);
    TimeLimit.run(input, () -> SpecOracle.check(type, meta, (input[0] & 0x80) != 0));
  }

  @Test
  void theSpecDecodersTablesMatchTheEnums() {
    for (DType t : DType.values()) {
      assertEquals(t.byteSize(), SpecDecoder.elementBytes(t), t.name());
    }
    assertEquals(
        ErrorCode.BAD_HANDSHAKE,
        SpecDecoder.decodeMeta(
                FrameType.HANDSHAKE,
                SeedCorpus.malformedMeta().get("handshake-batch-zero").getValue(),
                DecoderContract.LIMITS)
            .rejection());
  }

  @Test
  void theOracleCatchesADisagreement() {
    // the document says an error code this side does not know decodes as UNKNOWN (§5)
    byte[] meta = SeedCorpus.malformedMeta().get("error-unknown-code").getValue();
    assertEquals(
        ErrorCode.UNKNOWN,
        ((ErrorReport) SpecOracle.check(FrameType.ERROR, meta, false).message()).code());
    DecoderContract.Decoder unknownAsInternal =
        in -> {
          Message m = DecoderContract.FRAME_CODEC.decode(in);
          return m instanceof ErrorReport r && r.code() == ErrorCode.UNKNOWN
              ? new ErrorReport(r.requestId(), ErrorCode.INTERNAL, r.message())
              : m;
        };
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () -> SpecOracle.check(unknownAsInternal, FrameType.ERROR, meta, false));
    assertTrue(
        e.getMessage()
            .startsWith(
                "FrameCodec disagrees with docs/PROTOCOL.md on ERROR metadata "
                    + "000000000000000103e70000000178: the document decodes ErrorReport[requestId=1, code=UNKNOWN, message=x]"),
        e.getMessage());
  }

  @Test
  void everyMetadataSeedAgreesWithTheDocument() {
    for (Map.Entry<String, byte[]> seed : SeedCorpus.eachFrameType().entrySet()) {
      eachFrameType(seed.getValue());
    }
  }
}
