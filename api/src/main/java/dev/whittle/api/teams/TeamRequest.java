package dev.whittle.api.teams;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** @param name lower-case letters, digits, '_' and '-' */
@Schema(description = "A team to create.")
public record TeamRequest(
        @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}",
                message = "must be 1-63 lower-case letters, digits, '_' or '-', starting with a letter or digit")
        @Schema(example = "nlp") String name) {
}
