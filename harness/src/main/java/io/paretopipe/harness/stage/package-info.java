/**
 * The model side of a stage: turns handshakes into loaded {@link io.paretopipe.models.StageModel}s
 * (cached per server, so one server serves a whole sweep), runs requests on a compute thread,
 * forwards a middle stage's output downstream, and converts between DJL arrays and wire tensors.
 */
package io.paretopipe.harness.stage;
