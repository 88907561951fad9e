package dev.whittle.lab.cli;

import dev.whittle.engine.train.distill.SelfDistillation;
import dev.whittle.lab.corpus.CustomerQa;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code customer-qa}: writes {@link CustomerQa}'s fine-tuning set as JSONL ({@code prompt}, {@code response}). */
final class CustomerQaCommand {

    static final String USAGE = """
              customer-qa --out FILE.jsonl [--every 3]
                                                              a customer-style SFT set: full-sentence answers on every
                                                              3rd trained person of the reference corpus
            """;
    static final Set<String> OPTIONS = Set.of("out", "every");

    private static final JsonMapper JSON = new JsonMapper();

    private final PrintStream out;

    CustomerQaCommand(PrintStream out) {
        this.out = out;
    }

    void run(Arguments a) throws IOException {
        a.expectPositionals(0);
        String target = a.option("out", null);
        if (target == null) {
            throw new Arguments.UsageException("customer-qa: --out FILE.jsonl is required");
        }
        List<SelfDistillation.Example> examples = CustomerQa.examples(a.intOption("every", 3));
        Path file = Path.of(target);
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (SelfDistillation.Example example : examples) {
                Map<String, String> line = new LinkedHashMap<>();
                line.put("prompt", example.prompt());
                line.put("response", example.response());
                writer.write(JSON.writeValueAsString(line));
                writer.write('\n');
            }
        }
        out.println(file + ": " + examples.size() + " examples");
    }
}
