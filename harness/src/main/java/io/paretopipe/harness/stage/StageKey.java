package io.paretopipe.harness.stage;

import io.paretopipe.models.ModelOptions;
import io.paretopipe.models.StageRange;

/**
 * What a loaded stage is cached under: model, options, unit range and the model's digest ("" for a
 * built-in), so a re-exported model directory is loaded afresh.
 */
record StageKey(String model, ModelOptions options, StageRange range, String digest) {}
