/**
 * Memory a peer can make a process hold, accounted: the stage-wide request memory ({@link
 * io.paretopipe.harness.memory.MemoryBudget}) and one request's share of it ({@link
 * io.paretopipe.harness.memory.Reservation}), and the pool that recycles direct buffers by size
 * ({@link io.paretopipe.harness.memory.BufferPool}), used by stage servers and heads alike.
 */
package io.paretopipe.harness.memory;
