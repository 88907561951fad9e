package dev.whittle.api.keys;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * @param name what the key is for, shown in lists
 * @param role admin, submitter, viewer or metrics
 * @param team the team it acts for; the admin's own when absent
 */
@Schema(description = "A key to create.")
public record KeyRequest(
        @NotBlank @Size(max = 200) @Schema(example = "ci-submitter") String name,
        @NotNull @Pattern(regexp = "admin|submitter|viewer|metrics", message = "must be one of admin, submitter, viewer, metrics")
        @Schema(allowableValues = {"admin", "submitter", "viewer", "metrics"}, example = "submitter") String role,
        @Size(max = 63) @Schema(example = "nlp", description = "The team it acts for; the calling admin's team when absent")
        String team) {
}
