/**
 * Bring-your-own models: directories of TorchScript split units written by {@code
 * models/export/export_units.py}. Owns the {@code manifest.json} format (reading, validation, the
 * model digest), the DJL block that loads one unit's TorchScript file when a stage initializes it,
 * and the {@link io.paretopipe.models.Architecture} that turns a directory into a {@link
 * io.paretopipe.models.ModelDefinition} with the same split API as the built-in catalog. The format
 * is documented in {@code docs/BYO_MODELS.md}.
 */
package io.paretopipe.models.torchscript;
