/**
 * The command line ({@code java -jar paretopipe-reports.jar pareto | compare | predict}): picocli
 * commands that parse options, call the testable logic in the other packages, and map outcomes to
 * exit codes (0 ok, 1 regression, 2 bad input, 3 internal error) and one-line error messages.
 */
package io.paretopipe.reports.cli;
