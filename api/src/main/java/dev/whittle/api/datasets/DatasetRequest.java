package dev.whittle.api.datasets;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * @param name   a unique name
 * @param path   the file: absolute, or relative to the first data root; must lie inside a data root
 * @param format text (lines), jsonl (one JSON object per line) or csv (with a header row)
 */
@Schema(description = "A calibration or evaluation data file to register.")
public record DatasetRequest(
        @NotBlank @Size(max = 200) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*",
                message = "must be letters, digits, '.', '_' or '-', starting with a letter or digit")
        @Schema(example = "calibration-text") String name,
        @NotBlank @Size(max = 4096) @Schema(example = "calibration.txt") String path,
        @NotNull @Pattern(regexp = "text|jsonl|csv", message = "must be one of text, jsonl, csv")
        @Schema(allowableValues = {"text", "jsonl", "csv"}, example = "text") String format) {
}
