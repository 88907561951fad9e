package dev.whittle.api.models;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * @param name a unique name: letters, digits, dot, dash, underscore
 * @param path the model folder: absolute, or relative to the first model root; must lie inside a model root
 */
@Schema(description = "A model folder to register (Hugging Face layout: config.json and safetensors weights).")
public record ModelRequest(
        @NotBlank @Size(max = 200) @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*",
                message = "must be letters, digits, '.', '_' or '-', starting with a letter or digit")
        @Schema(example = "tiny-llama") String name,
        @NotBlank @Size(max = 4096) @Schema(example = "tiny-llama") String path) {
}
