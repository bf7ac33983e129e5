/**
 * The soak run (docs/SOAK.md): long pipelined traffic with a stage restart, checking request ids
 * and memory.
 */
package io.paretopipe.benchmarks.soak;
