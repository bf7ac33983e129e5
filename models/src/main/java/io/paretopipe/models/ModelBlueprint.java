package io.paretopipe.models;

import java.util.List;
import java.util.Objects;

/**
 * What is known of a model for given options before any stage is built: its name, the options it
 * was built for, its split units, their static costs and cut table, and its digest. Immutable,
 * thread-safe and shared: {@link ModelCatalog#blueprint} builds it once per process (and, for an
 * exported directory, once per manifest digest) and hands the same object to every caller, so the
 * architecture is defined, its costs walked and a directory's files checked once, not at every hop
 * a split takes from the command line to the loaded units.
 *
 * <p>It holds no DJL blocks: {@link #instantiate()} builds a fresh {@link ModelDefinition} (blocks
 * not yet built, owned by the caller) each time one is needed, one per {@link StageModel}.
 */
public final class ModelBlueprint {
  private final Architecture architecture;
  private final ModelOptions requested;
  private final String name;
  private final ModelOptions options;
  private final boolean prefix;
  private final List<String> unitNames;
  private final List<UnitCost> costs;
  private final String digest;

  /**
   * Defines the model once to learn its shape and costs.
   *
   * @param requested the options to define it with, input defaulted
   * @param digest "" for a built-in, the manifest digest for a directory
   * @throws IllegalArgumentException if the options do not fit the model
   */
  ModelBlueprint(Architecture architecture, ModelOptions requested, String digest) {
    this.architecture = Objects.requireNonNull(architecture, "architecture");
    this.requested = Objects.requireNonNull(requested, "requested");
    this.digest = Objects.requireNonNull(digest, "digest");
    ModelDefinition definition = architecture.define(requested);
    this.name = definition.name();
    this.options = definition.options();
    this.prefix = definition.prefix().isPresent();
    this.unitNames = definition.units().stream().map(Unit::name).toList();
    this.costs = List.copyOf(CostWalker.costs(definition));
  }

  /**
   * A fresh definition with its own, unbuilt blocks; the caller owns it (one per stage: a {@link
   * StageModel} builds the blocks of its range).
   */
  public ModelDefinition instantiate() {
    return architecture.define(requested);
  }

  /** Catalog name, or an exported directory's absolute path. */
  public String name() {
    return name;
  }

  /** The options it is built for: classes, input (never null) and seed. */
  public ModelOptions options() {
    return options;
  }

  /** Number of split units {@code n}; valid splits are {@code 0..n}. */
  public int unitCount() {
    return unitNames.size();
  }

  /** The split units' names, in order. */
  public List<String> unitNames() {
    return unitNames;
  }

  /** Whether a prefix always runs on the head before unit 0. */
  public boolean hasPrefix() {
    return prefix;
  }

  /** Static costs of the prefix (if any), every unit and the suffix, in execution order. */
  public List<UnitCost> costs() {
    return costs;
  }

  /**
   * The digest a stage handshake carries: "" for a built-in, the manifest's SHA-256 digest for an
   * exported directory.
   */
  public String digest() {
    return digest;
  }

  /** Whether it is an exported TorchScript model directory (its {@link #name} is the path). */
  public boolean isDirectory() {
    return !digest.isEmpty();
  }

  /** The cut table at {@code batch} images per request. */
  public CutTable cutTable(int batch) {
    return CutTable.of(name, options, prefix, costs, batch);
  }

  /**
   * Parses a split of this model ({@code 3} or {@code 3:9}).
   *
   * @throws IllegalArgumentException naming the text and the valid range
   */
  public Partition partition(String split) {
    return Partition.parse(split, name, unitCount());
  }

  @Override
  public String toString() {
    return name + " (" + options + ", " + unitCount() + " units)";
  }
}
