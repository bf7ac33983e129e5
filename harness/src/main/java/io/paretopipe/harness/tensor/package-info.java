/**
 * Between DJL arrays and wire tensors ({@link io.paretopipe.harness.tensor.TensorBridge}), without
 * copies where DJL allows: used by the head (encoding its output, decoding results) and by the
 * stages (wrapping requests, encoding results).
 */
package io.paretopipe.harness.tensor;
