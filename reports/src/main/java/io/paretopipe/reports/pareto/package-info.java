/**
 * Pareto frontiers: which points cannot be improved on one objective without losing on another.
 * Owns the dominance relation (exact, and optional epsilon-dominance from the measurement error),
 * the O(n log n) sweep for two objectives, the general k-objective algorithm, and the objectives a
 * frontier can be computed over.
 */
package io.paretopipe.reports.pareto;
