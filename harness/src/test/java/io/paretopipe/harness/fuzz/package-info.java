/**
 * Fuzz tests of the wire decoders with Jazzer ({@code com.code-intelligence:jazzer-junit}): {@link
 * io.paretopipe.harness.fuzz.FrameBytesFuzzTest} (arbitrary bytes through {@code FrameCodec} and a
 * {@code FrameReader} over a choppy, timing-out channel), {@link
 * io.paretopipe.harness.fuzz.FrameMetadataFuzzTest} (the metadata of every frame type against an
 * independent decoder written from {@code docs/PROTOCOL.md}) and {@link
 * io.paretopipe.harness.fuzz.HandshakeFuzzTest} (the handshake parser and the authentication
 * context and proof parser), {@link io.paretopipe.harness.fuzz.ManifestFuzzTest} (the TorchScript
 * manifest parser) and, in its package because what it fuzzes is package-private, {@code
 * transport.grpc.GrpcMessageFuzzTest} (the grpc message path: marshallers, skimmer, conversions).
 * Every frame target checks the {@link io.paretopipe.harness.fuzz.DecoderContract}: typed
 * rejections only, allocation bounded by the limits, what is accepted is within the limits and
 * re-encodes canonically, and no input takes longer than {@link
 * io.paretopipe.harness.fuzz.TimeLimit}.
 *
 * <p>Two ways to run them. {@code mvn verify} runs Jazzer's regression mode: each target once per
 * committed input under {@code
 * src/test/resources/io/paretopipe/harness/fuzz/<Test>Inputs/<method>/} ({@link
 * io.paretopipe.harness.fuzz.SeedCorpus} writes the seeds; findings the fuzzer wrote there stay as
 * regression inputs), about 2 s per class. {@code .ci/fuzz} runs each target under coverage-guided
 * fuzzing for a bounded time.
 */
package io.paretopipe.harness.fuzz;
