package dev.whittle.api.keys;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import dev.whittle.api.RequestReader;
import dev.whittle.api.problems.ApiException;
import dev.whittle.api.security.ApiKeyIssuer;
import dev.whittle.api.security.Caller;
import dev.whittle.api.security.VerifiedKeys;
import dev.whittle.persistence.team.ApiKey;
import dev.whittle.persistence.team.ApiKeys;
import dev.whittle.persistence.team.Role;
import dev.whittle.persistence.team.Teams;
import dev.whittle.worker.stage.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** API keys, for admins: keys of every team are managed here (what a key sees is its own team's). */
@RestController
@RequestMapping("/api/v1/keys")
@Tag(name = "Keys", description = "API keys (admins only): create, list, revoke")
public class KeysController {

    private final ApiKeys keys;
    private final ApiKeyIssuer issuer;
    private final Teams teams;
    private final RequestReader requests;
    private final VerifiedKeys verified;

    public KeysController(ApiKeys keys, ApiKeyIssuer issuer, Teams teams, RequestReader requests, VerifiedKeys verified) {
        this.keys = keys;
        this.verified = verified;
        this.issuer = issuer;
        this.teams = teams;
        this.requests = requests;
    }

    @Operation(operationId = "createKey", summary = "Create a key", description = """
            Makes a key for a team (the admin's own by default) with a role: viewer (GET only), submitter (also submit,
            cancel and delete jobs; register and delete models, datasets and tasks), admin (also keys, teams, metrics),
            or metrics (the actuator only). The answer carries the secret, `key`, this once: only its SHA-256 is kept.""",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    schema = @Schema(implementation = KeyRequest.class),
                    examples = @ExampleObject(value = "{\"name\":\"ci\",\"role\":\"submitter\",\"team\":\"nlp\"}"))))
    @ApiResponse(responseCode = "201", description = "Created; the secret is in `key`")
    @ApiResponse(responseCode = "422", description = "Bad role, or no such team", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<KeyView> create(@RequestBody JsonNode body, @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        KeyRequest request = requests.read(body, KeyRequest.class);
        String team = request.team() == null ? caller.team() : request.team();
        if (!teams.existsById(team)) {
            throw new InvalidRequestException("team", "no team named '" + team + "' (create it with POST /api/v1/teams)");
        }
        ApiKeyIssuer.Issued issued = issuer.issue(request.name(), team, Role.valueOf(request.role().toUpperCase(Locale.ROOT)));
        return ResponseEntity.created(URI.create("/api/v1/keys/" + issued.key().getId()))
                .body(KeyView.of(issued.key()).withSecret(issued.secret()));
    }

    @Operation(operationId = "listKeys", summary = "List keys", description = "Every key, oldest first, revoked ones too; never their secrets.")
    @GetMapping
    public List<KeyView> list() {
        return keys.findAllByOrderByCreatedAtAsc().stream().map(KeyView::of).toList();
    }

    @Operation(operationId = "getKey", summary = "Get a key")
    @GetMapping("/{id}")
    public KeyView get(@PathVariable UUID id) {
        return KeyView.of(find(id));
    }

    @Operation(operationId = "revokeKey", summary = "Revoke a key", description = """
            The key stops working at once on this API process, and within whittle.security.key-cache-ttl (5 s) on
            others (a valid key is looked up again that often). It stays listed, with revokedAt.
            Revoking every admin key makes the next start log a new one.""")
    @ApiResponse(responseCode = "204", description = "Revoked (or already was)")
    @ApiResponse(responseCode = "404", description = "No such key", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @DeleteMapping("/{id}")
    public ResponseEntity<Void> revoke(@PathVariable UUID id) {
        ApiKey key = find(id);
        key.revoke();
        keys.saveAndFlush(key);
        verified.forget(id); // after the commit, so no request can trust it again from a read made before
        return ResponseEntity.noContent().build();
    }

    private ApiKey find(UUID id) {
        return keys.findById(id).orElseThrow(() -> ApiException.notFound("Key " + id));
    }
}
