/**
 * Pareto frontiers: which points cannot be improved on one objective without losing on another.
 * Owns the dominance relation (exact, and optional epsilon-dominance from the measurement error),
 * the O(n log n) sweep for two objectives, the general k-objective algorithm, the objectives a
 * frontier can be computed over, the seeded bootstrap that gives every point its probability of
 * being on the frontier and its class ({@link io.paretopipe.reports.pareto.FrontierConfidence}),
 * and when a point's figures have converged.
 */
package io.paretopipe.reports.pareto;
