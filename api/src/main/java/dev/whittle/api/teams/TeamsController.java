package dev.whittle.api.teams;

import java.net.URI;
import java.util.List;

import dev.whittle.api.RequestReader;
import dev.whittle.api.problems.ApiException;
import dev.whittle.api.problems.Problems;
import dev.whittle.persistence.team.Team;
import dev.whittle.persistence.team.Teams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.data.domain.Sort;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Teams, for admins. 'default' holds what existed before teams; 'shared' holds what every team may read. */
@RestController
@RequestMapping("/api/v1/teams")
@Tag(name = "Teams", description = "Teams (admins only): each job, model, dataset and task belongs to one")
public class TeamsController {

    private final Teams teams;
    private final RequestReader requests;

    public TeamsController(Teams teams, RequestReader requests) {
        this.teams = teams;
        this.requests = requests;
    }

    @Operation(operationId = "createTeam", summary = "Create a team", description = """
            A team's keys see and change only its jobs, models, datasets, tasks and evaluations (another team's answer
            404), and read those of the team 'shared' (reference models registered for everyone).""",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    schema = @Schema(implementation = TeamRequest.class), examples = @ExampleObject(value = "{\"name\":\"nlp\"}"))))
    @ApiResponse(responseCode = "201", description = "Created")
    @ApiResponse(responseCode = "409", description = "The name is taken", content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<TeamView> create(@RequestBody JsonNode body) {
        TeamRequest request = requests.read(body, TeamRequest.class);
        if (teams.existsById(request.name())) {
            throw new ApiException(Problems.CONFLICT, "A team named '" + request.name() + "' exists");
        }
        Team team = teams.saveAndFlush(new Team(request.name()));
        return ResponseEntity.created(URI.create("/api/v1/teams/" + team.getName())).body(TeamView.of(team));
    }

    @Operation(operationId = "listTeams", summary = "List teams")
    @GetMapping
    public List<TeamView> list() {
        return teams.findAll(Sort.by("name")).stream().map(TeamView::of).toList();
    }
}
