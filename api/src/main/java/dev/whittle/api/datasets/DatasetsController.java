package dev.whittle.api.datasets;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import dev.whittle.api.PageView;
import dev.whittle.api.RequestReader;
import dev.whittle.api.problems.ApiException;
import dev.whittle.persistence.dataset.Dataset;
import dev.whittle.persistence.dataset.DatasetFormat;
import dev.whittle.persistence.dataset.Datasets;
import dev.whittle.worker.datasets.DatasetCatalog;
import dev.whittle.worker.datasets.InvalidDatasetException;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
@RequestMapping("/api/v1/datasets")
@Tag(name = "Datasets", description = "Calibration and evaluation data files")
@Validated
public class DatasetsController {

    private final DatasetCatalog catalog;
    private final Datasets datasets;
    private final RequestReader requests;

    public DatasetsController(DatasetCatalog catalog, Datasets datasets, RequestReader requests) {
        this.catalog = catalog;
        this.datasets = datasets;
        this.requests = requests;
    }

    @Operation(operationId = "registerDataset", summary = "Register a data file", description = """
            Checks the file against its format (UTF-8 text; one JSON object per line; CSV rows matching the header)
            and records its size, record count and SHA-256. The path must lie inside a data root
            (whittle.storage.data-roots).""",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    schema = @Schema(implementation = DatasetRequest.class),
                    examples = @ExampleObject(value = "{\"name\":\"calibration\",\"path\":\"calibration.jsonl\",\"format\":\"jsonl\"}"))))
    @ApiResponse(responseCode = "201", description = "Registered")
    @ApiResponse(responseCode = "409", description = "The name is taken")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<DatasetView> register(@RequestBody JsonNode body) {
        DatasetRequest request = requests.read(body, DatasetRequest.class);
        Dataset dataset;
        try {
            dataset = catalog.register(request.name(), request.path(),
                    DatasetFormat.valueOf(request.format().toUpperCase(Locale.ROOT)));
        } catch (InvalidDatasetException e) {
            throw new InvalidRequestException(List.of(new FieldProblem("path", "not valid " + request.format() + ": " + e.getMessage())));
        }
        return ResponseEntity.created(URI.create("/api/v1/datasets/" + dataset.getId())).body(DatasetView.of(dataset));
    }

    @Operation(operationId = "listDatasets", summary = "List datasets", description = "Newest first.")
    @GetMapping
    public PageView<DatasetView> list(@RequestParam(defaultValue = "0") @Min(0) @Max(PageView.MAX_PAGE) int page,
                                      @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
        return PageView.of(datasets.findVisible(PageRequest.of(page, size, Sort.by(Sort.Order.desc("createdAt"),
                Sort.Order.asc("id")))), DatasetView::of);
    }

    @Operation(operationId = "getDataset", summary = "Get a dataset")
    @GetMapping("/{id}")
    public DatasetView get(@PathVariable UUID id) {
        return datasets.findById(id).map(DatasetView::of).orElseThrow(() -> ApiException.notFound("Dataset " + id));
    }
}
