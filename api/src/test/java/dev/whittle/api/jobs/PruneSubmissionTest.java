package dev.whittle.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whittle.api.testing.Api;
import dev.whittle.api.testing.ApiTest;
import dev.whittle.api.testing.TestModelFolders;
import dev.whittle.engine.model.Family;
import dev.whittle.engine.testing.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A PRUNE stage that cannot run on the job's model is refused at submission with a 422 naming the field. */
@ApiTest
class PruneSubmissionTest {

    @LocalServerPort
    int port;
    Api api;

    @BeforeEach
    void connect() {
        api = new Api(port);
    }

    private static void assertRefusedAt(Api.Response r, String field, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.errorFields()).containsExactly(field);
        assertThat(r.json().get("errors").get(0).get("message").asString()).contains(message);
    }

    @Test
    void removingMoreBlocksThanTheModelHasIsRefusedAtBlocks() {
        String model = api.registerModel(TestModelFolders.write(Family.LLAMA, TestModels.options().layers(3)));
        assertRefusedAt(api.submit(model, "{\"type\":\"PRUNE\",\"method\":\"block-removal\",\"blocks\":5}"),
                "stages[0].blocks", "the model has 3 blocks");
        assertThat(api.submit(model, "{\"type\":\"PRUNE\",\"method\":\"block-removal\",\"blocks\":2}").status()).isEqualTo(202);
    }

    @Test
    void anIncludePatternThatMatchesNoTensorIsRefusedAtInclude() {
        String model = api.registerModel(TestModelFolders.llama());
        assertRefusedAt(api.submit(model, "{\"type\":\"PRUNE\",\"method\":\"magnitude\",\"sparsity\":0.5,"
                + "\"include\":[\"\\\\.nothing_proj\\\\.\"]}"), "stages[0].include[0]", "matches no prunable tensor");
    }

    @Test
    void aMethodTheFamilyCannotTakeIsRefusedAtMethod() {
        String mixtral = api.registerModel(TestModelFolders.write(Family.MIXTRAL, TestModels.options()));
        assertRefusedAt(api.submit(mixtral, "{\"type\":\"PRUNE\",\"method\":\"block-removal\",\"blocks\":1}"),
                "stages[0].method", "MixtralForCausalLM");
        String llama = api.registerModel(TestModelFolders.llama());
        assertRefusedAt(api.submit(llama, "{\"type\":\"PRUNE\",\"method\":\"reap\",\"experts\":0.25}"),
                "stages[0].method", "LlamaForCausalLM is dense");
    }

    @Test
    void widthPruningThatWouldLeaveNoKvGroupIsRefusedAtHeadRatio() {
        String model = api.registerModel(TestModelFolders.write(Family.LLAMA, TestModels.options().heads(8).kvHeads(4)));
        assertRefusedAt(api.submit(model, "{\"type\":\"PRUNE\",\"method\":\"width\",\"headRatio\":0.9}"),
                "stages[0].headRatio", "at least one must stay");
        assertRefusedAt(api.submit(model, "{\"type\":\"PRUNE\",\"method\":\"width\"}"),
                "stages[0].mlpRatio", "nothing is removed");
        assertThat(api.submit(model, "{\"type\":\"PRUNE\",\"method\":\"width\",\"mlpRatio\":0.5,\"headRatio\":0.25}")
                .status()).isEqualTo(202);
    }

    @Test
    void removingExpertsBelowTopKIsRefusedAtExperts() {
        String mixtral = api.registerModel(TestModelFolders.write(Family.MIXTRAL, TestModels.options().experts(4).expertsPerToken(2)));
        assertRefusedAt(api.submit(mixtral, "{\"type\":\"PRUNE\",\"method\":\"reap\",\"experts\":0.75}"),
                "stages[0].experts", "fewer than the 2 each token is routed to");
        assertThat(api.submit(mixtral, "{\"type\":\"PRUNE\",\"method\":\"merge-experts\",\"experts\":0.5}").status())
                .isEqualTo(202);
    }

    @Test
    void onlyTheFirstStageIsCheckedAgainstTheJobsModelAsLaterOnesMayReadAnotherShape() {
        String model = api.registerModel(TestModelFolders.write(Family.LLAMA, TestModels.options().layers(3)));
        Api.Response r = api.submit(model, "{\"type\":\"INSPECT\"},{\"type\":\"PRUNE\",\"method\":\"block-removal\",\"blocks\":5}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
    }
}
