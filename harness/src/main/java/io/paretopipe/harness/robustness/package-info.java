/**
 * Robustness tools, run by hand and documented with their results rather than run by {@code mvn
 * verify}: the soak (docs/SOAK.md: long pipelined traffic with a stage killed and replaced,
 * checking request ids and memory). Their test-suite siblings are the fuzzers of the frame and
 * handshake decoders (test package {@code io.paretopipe.harness.fuzz}), {@code FaultsTest} (a
 * killed or stalled stage) and {@code StageServerContractTest} (a bad peer against either server).
 */
package io.paretopipe.harness.robustness;
