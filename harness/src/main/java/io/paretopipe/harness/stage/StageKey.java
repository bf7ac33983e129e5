package io.paretopipe.harness.stage;

import io.paretopipe.models.ModelOptions;
import io.paretopipe.models.StageRange;

/** What a loaded stage is cached under: model, options and unit range. */
record StageKey(String model, ModelOptions options, StageRange range) {}
