package io.paretopipe.harness.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paretopipe.harness.protocol.DType;
import io.paretopipe.harness.protocol.ErrorCode;
import io.paretopipe.harness.protocol.Handshake;
import io.paretopipe.harness.protocol.HandshakeReply;
import io.paretopipe.harness.protocol.InferenceRequest;
import io.paretopipe.harness.protocol.InferenceResult;
import io.paretopipe.harness.protocol.StageException;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.NioStageServer;
import io.paretopipe.harness.transport.NioTransport;
import io.paretopipe.harness.transport.StageChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The model side of a real stage server over real sockets: handshakes naming a bad model, split or
 * thread count are refused with a typed error, a tensor whose shape does not fit the loaded units
 * gets SHAPE_MISMATCH on that request while the connection keeps serving, and a fitting one gets
 * logits.
 */
class ModelStageServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static ModelStageService service;
    private static NioStageServer server;

    @BeforeAll
    static void start() throws Exception {
        service = new ModelStageService(new NioTransport(), 1);
        server = NioStageServer.start(service);
    }

    @AfterAll
    static void stop() {
        server.close();
        service.close();
    }

    private static Handshake handshake(String model, int start, int end, int threads) {
        return new Handshake(model, 10, new int[] {3, 224, 224}, start, end, 1, DType.FLOAT32, 42, threads, "",
                List.of());
    }

    private static StageException refused(Handshake h) throws Exception {
        try (StageChannel channel = new NioTransport().connect(server.address(), TIMEOUT)) {
            return assertThrows(StageException.class, () -> channel.handshake(h, TIMEOUT));
        }
    }

    @Test
    void badHandshakesAreRefusedWithTypedErrors() throws Exception {
        StageException unknown = refused(handshake("resnet19", 3, 8, 0));
        assertEquals(ErrorCode.UNKNOWN_MODEL, unknown.code());
        assertTrue(unknown.getMessage().contains("known models are resnet18, resnet50"), unknown.getMessage());

        StageException split = refused(handshake("resnet18", 3, 19, 0));
        assertEquals(ErrorCode.BAD_SPLIT, split.code());
        assertEquals("unit range [3, 19) is out of range for resnet18: valid splits are 0..8", split.getMessage());

        StageException notLast = refused(handshake("resnet18", 3, 5, 0));
        assertEquals(ErrorCode.BAD_SPLIT, notLast.code());

        StageException threads = refused(handshake("resnet18", 3, 8, 2));
        assertEquals(ErrorCode.BAD_HANDSHAKE, threads.code());
        assertTrue(threads.getMessage().startsWith("this stage server computes with 1 threads"), threads.getMessage());
    }

    @Test
    void aTensorThatDoesNotFitGetsShapeMismatchAndTheConnectionGoesOn() throws Exception {
        try (StageChannel channel = new NioTransport().connect(server.address(), TIMEOUT)) {
            HandshakeReply reply = channel.handshake(handshake("mobilenetv2", 3, 19, 0), TIMEOUT);
            assertArrayEquals(new long[] {1, 24, 56, 56}, reply.expectedInputShape());
            assertArrayEquals(new long[] {1, 10}, reply.outputShape());

            channel.send(new InferenceRequest(1, Tensor.allocate(DType.FLOAT32, 1, 24, 28, 28)));
            StageException e = assertThrows(StageException.class, () -> channel.receive(TIMEOUT));
            assertEquals(ErrorCode.SHAPE_MISMATCH, e.code());
            assertEquals(1, e.requestId());
            assertTrue(e.getMessage().endsWith("expected float32 (N, 24, 56, 56)"), e.getMessage());

            channel.send(new InferenceRequest(2, Tensor.allocate(DType.FLOAT32, 1, 24, 56, 56)));
            InferenceResult result = channel.receive(TIMEOUT);
            assertEquals(2, result.requestId());
            assertArrayEquals(new long[] {1, 10}, result.tensor().shape());
            assertEquals(1, result.stageTimings().size());
            assertTrue(result.stageTimings().get(0).computeNanos() > 0);
        }
    }
}
