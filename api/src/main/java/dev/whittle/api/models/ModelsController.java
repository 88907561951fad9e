package dev.whittle.api.models;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import dev.whittle.api.PageView;
import dev.whittle.api.RequestReader;
import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.ModelFile;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.models.ModelFileIntegrity;
import dev.whittle.worker.models.ModelRemoval;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.persistence.team.TeamScope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
@RequestMapping("/api/v1/models")
@Tag(name = "Models", description = "Model folders: registered ones and those jobs wrote")
@Validated
public class ModelsController {

    private final ModelCatalog catalog;
    private final Models models;
    private final RequestReader requests;
    private final ModelRemoval removal;
    private final ModelFileIntegrity integrity;

    public ModelsController(ModelCatalog catalog, Models models, RequestReader requests, ModelRemoval removal,
                            ModelFileIntegrity integrity) {
        this.catalog = catalog;
        this.integrity = integrity;
        this.removal = removal;
        this.models = models;
        this.requests = requests;
    }

    @Operation(operationId = "registerModel", summary = "Register a model folder", description = """
            Validates config.json (a supported family) and every safetensors header, then records the folder with
            its architecture, parameter count and file checksums. The path must lie inside a model root
            (whittle.storage.model-roots): '..', links leading out of the roots and missing files are refused.""",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    schema = @Schema(implementation = ModelRequest.class),
                    examples = @ExampleObject(value = "{\"name\":\"tiny-llama\",\"path\":\"tiny-llama\"}"))))
    @ApiResponse(responseCode = "201", description = "Registered")
    @ApiResponse(responseCode = "409", description = "The name is taken", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @ApiResponse(responseCode = "422", description = "Bad path or not a usable model folder", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<ModelView> register(@RequestBody JsonNode body) {
        ModelRequest request = requests.read(body, ModelRequest.class);
        Model model = catalog.register(request.name(), request.path());
        return ResponseEntity.created(URI.create("/api/v1/models/" + model.getId())).body(ModelView.of(model));
    }

    @Operation(operationId = "listModels", summary = "List models", description = "Newest first.")
    @GetMapping
    public PageView<ModelView> list(@RequestParam(defaultValue = "0") @Min(0) @Max(PageView.MAX_PAGE) int page,
                                    @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
        return PageView.of(models.findVisible(PageRequest.of(page, size, Sort.by(Sort.Order.desc("createdAt"),
                Sort.Order.asc("id")))), ModelView::of);
    }

    @Operation(operationId = "getModel", summary = "Get a model", description = "By id or name.")
    @GetMapping("/{id}")
    public ModelView get(@PathVariable String id) {
        return ModelView.of(find(id));
    }

    @Operation(operationId = "deleteModel", summary = "Delete a model", description = """
            Unregisters the model and, when a job wrote it (its folder lies in the output root), deletes its folder.
            A folder registered by path is the user's: it is only unregistered, never deleted. The model's evaluations
            go with it; ended jobs that read or wrote it keep their record without it. Refused with 409 while a job
            that has not ended uses it, or while a model made from it is registered (delete the children first).""")
    @ApiResponse(responseCode = "204", description = "Deleted (header Whittle-Folder: deleted or kept)")
    @ApiResponse(responseCode = "409", description = "A job that has not ended uses it, or a child model depends on it")
    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        Model model = find(id);
        if (!TeamScope.owns(model.getOwnerTeam())) {
            throw new ApiException(Problems.FORBIDDEN, "Model '" + model.getName() + "' is shared with every team and "
                    + "read-only to yours");
        }
        ModelRemoval.Outcome outcome = removal.remove(model.getId());
        return ResponseEntity.noContent()
                .header("Whittle-Folder", outcome == ModelRemoval.Outcome.FOLDER_DELETED ? "deleted" : "kept").build();
    }

    @Operation(operationId = "getModelLineage", summary = "A model's lineage", description = "The models it was made from, and the models made from it.")
    @GetMapping("/{id}/lineage")
    public LineageView lineage(@PathVariable String id) {
        Model model = find(id);
        return new LineageView(ModelView.of(model),
                models.findAncestors(model.getId()).stream().filter(ModelsController::visible).map(ModelView::of).toList(),
                models.findDescendants(model.getId()).stream().filter(ModelsController::visible).map(ModelView::of).toList());
    }

    @Operation(operationId = "listModelFiles", summary = "A model's files", description = "Every file of the folder with its size and SHA-256.")
    @GetMapping("/{id}/files")
    public List<ModelFile> files(@PathVariable String id) {
        return find(id).getFiles();
    }

    @Operation(operationId = "downloadModelFile", summary = "Download a model file", description = """
            The file's bytes, with Content-Length, its SHA-256 as ETag, and Range support (206 Partial Content),
            so large weight files can be fetched in parts or resumed. The file is checked before it is served: its real
            location (links followed) must lie in the model roots (404 otherwise, as for a file no longer on disk), and
            its bytes must hash to the SHA-256 recorded at registration (409 otherwise: register it again).""")
    @ApiResponse(responseCode = "200", description = "The whole file", content = @Content(
            mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE, schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "206", description = "The byte range(s) asked for with Range: bytes=from-to",
            content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE, schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "404", description = "No such file, or it is gone or now leads out of the model roots", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @ApiResponse(responseCode = "409", description = "The file changed since registration (size or SHA-256)", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @ApiResponse(responseCode = "416", description = "The range lies outside the file", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @GetMapping("/{id}/files/{name}")
    public ResponseEntity<Resource> download(@PathVariable String id, @PathVariable String name,
            @Parameter(in = ParameterIn.HEADER, name = "Range", description = "Bytes to send, e.g. bytes=0-1023",
                    schema = @Schema(type = "string")) @RequestHeader(name = "Range", required = false) String range) {
        Model model = find(id);
        ModelFile file = model.getFiles().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("File '" + name + "' of model " + model.getName()));
        Path path = integrity.check(model, file);
        FileSystemResource resource = new FileSystemResource(path);
        if (range != null) {
            refuseUnsatisfiable(range, resource, file);
        }
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .eTag("\"" + file.sha256() + "\"")
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(Path.of(file.name()).getFileName().toString()).build().toString())
                .body(resource);
    }

    /** A Range Spring cannot serve would get a bodiless 416; answer it as a problem, with the file's length. */
    private static void refuseUnsatisfiable(String range, Resource resource, ModelFile file) {
        try {
            HttpRange.toResourceRegions(HttpRange.parseRanges(range), resource);
        } catch (IllegalArgumentException e) {
            throw new ApiException(Problems.RANGE_NOT_SATISFIABLE, "Range '" + range + "' cannot be served from '"
                    + file.name() + "' (" + file.bytes() + " bytes): " + e.getMessage(),
                    List.of(new FieldProblem("Range", "give bytes=from-to within 0-" + Math.max(0, file.bytes() - 1))))
                    .withHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + file.bytes());
        }
    }

    private static boolean visible(Model m) {
        return TeamScope.sees(m.getOwnerTeam());
    }

    private Model find(String idOrName) {
        return catalog.find(idOrName).orElseThrow(() -> ApiException.notFound("Model '" + idOrName + "'"));
    }

}
