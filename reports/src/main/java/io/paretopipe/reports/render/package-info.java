/**
 * Writers of the report files, each a small class behind {@link
 * io.paretopipe.reports.render.Renderer}: CSV, JSON, Markdown, HTML and PNG charts (drawn by
 * XChart). Owns the stable column contract ({@link io.paretopipe.reports.render.PointColumns}),
 * locale-independent number formatting ({@link io.paretopipe.reports.render.Numbers}) and the
 * staged output folder that is moved into place only when complete ({@link
 * io.paretopipe.reports.render.StagedOutput}).
 */
package io.paretopipe.reports.render;
