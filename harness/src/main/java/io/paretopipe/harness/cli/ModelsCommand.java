package io.paretopipe.harness.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paretopipe.models.Cut;
import io.paretopipe.models.CutTable;
import io.paretopipe.models.ModelBlueprint;
import io.paretopipe.models.ModelCatalog;
import io.paretopipe.models.ModelOptions;
import io.paretopipe.models.Shapes;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code models list} and {@code models cuts MODEL}: the catalog and its cut tables. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "The model catalog.",
    subcommands = {ModelsCommand.ListCommand.class, ModelsCommand.CutsCommand.class})
final class ModelsCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the built-in models.")
  static final class ListCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "%-12s %-10s %6s %13s%n", "model", "input", "units", "params");
      for (String name : ModelCatalog.names()) {
        ModelBlueprint b = ModelCatalog.blueprint(name);
        out.printf(
            Locale.ROOT,
            "%-12s %-10s %6d %,13d%n",
            name,
            Shapes.chw(b.options().input()),
            b.unitCount(),
            b.cutTable(1).params());
      }
      return 0;
    }
  }

  @Command(
      name = "cuts",
      mixinStandardHelpOptions = true,
      description =
          "For each split: index, last unit on the head, tensor shape at the cut (per image),"
              + " bytes per batch, cumulative MACs per batch; and the model's parameter count.")
  static final class CutsCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "Model name (see 'models list').")
    String model;

    @Option(
        names = "--classes",
        defaultValue = "10",
        description = "Output classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(
        names = "--input",
        description = "Per-image input CxHxW (default: the model's, e.g. 3x224x224).")
    String input;

    @Option(
        names = "--batch",
        defaultValue = "8",
        description = "Images per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "Print the stable JSON form (see docs/CLI.md).")
    boolean json;

    @Override
    public Integer call() throws Exception {
      ModelOptions options =
          ModelOptions.builder()
              .optClasses(classes)
              .optInput(input == null ? null : Shapes.parseChw(input))
              .build();
      CutTable table = ModelCatalog.blueprint(model, options).cutTable(batch);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(table.toJson()));
        return 0;
      }
      out.printf(
          Locale.ROOT,
          "%s: input %s, %,d parameters, batch %d%n",
          table.model(),
          Shapes.chw(table.input()),
          table.params(),
          table.batch());
      out.printf(
          Locale.ROOT, "%5s  %-22s %-14s %14s %18s%n", "split", "unit", "shape", "bytes", "MACs");
      for (Cut c : table.cuts()) {
        out.printf(
            Locale.ROOT,
            "%5d  %-22s %-14s %,14d %,18d%n",
            c.split(),
            c.unit(),
            Shapes.chw(c.shape()),
            c.bytes(),
            c.macs());
      }
      return 0;
    }
  }
}
