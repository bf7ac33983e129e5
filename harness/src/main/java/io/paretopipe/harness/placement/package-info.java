/**
 * Where stages run: stage server JVMs spawned on this machine, pinned to their own CPUs with their
 * own thread counts and allocator settings, and tied to their owner's life.
 */
package io.paretopipe.harness.placement;
