package dev.whittle.worker.distill;

import dev.whittle.engine.Progress;
import dev.whittle.engine.io.DType;
import dev.whittle.engine.model.DecoderLoader;
import dev.whittle.engine.model.ModelConfig;
import dev.whittle.engine.tokenizer.ChatTemplate;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.engine.train.data.SupervisedExample;
import dev.whittle.engine.train.distill.SelfDistillation;
import dev.whittle.engine.train.finetune.Conversation;
import dev.whittle.engine.train.finetune.DistillAdapter;
import dev.whittle.engine.train.finetune.DistillData;
import dev.whittle.engine.train.finetune.DistillParameters;
import dev.whittle.engine.train.finetune.DistillProblem;
import dev.whittle.engine.train.finetune.DistillTraining;
import dev.whittle.engine.train.finetune.FineTune;
import dev.whittle.persistence.job.Jobs;
import dev.whittle.persistence.model.Model;
import dev.whittle.persistence.model.Models;
import dev.whittle.worker.losscurve.LossCurve;
import dev.whittle.worker.losscurve.LossCurveChart;
import dev.whittle.worker.models.ModelCatalog;
import dev.whittle.worker.stage.FieldProblem;
import dev.whittle.worker.stage.StageContext;
import dev.whittle.worker.stage.StageType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * DISTILL: recovers a (pruned) model by fine-tuning it with the engine's {@link FineTune}: {@code sft} on the
 * dataset's responses, {@code self-distill} on the teacher's regenerated responses (registered as a dataset of their
 * own, {@link SelfDistilledDatasets}), or {@code logits} against the teacher's next-token distribution. Every pruned
 * weight stays exactly zero. The output is the fine-tuned model (a LoRA run merges its adapters under the pruning
 * mask) with {@value #LOSS_CURVE_FILE}, {@value #LOSS_CURVE_CHART} and, for LoRA, the PEFT adapter folder {@value #ADAPTER_FOLDER}/ inside it.
 *
 * <p>A dataset of conversations (chat form) is rendered with the model's {@link ChatTemplate} and trained on each
 * conversation's final assistant turn ({@link Conversation}); a model without a template is refused.
 *
 * <p>At submission: the parameters' own rules, the dataset (registered, JSONL, with the fields, or in chat form with a
 * chat template in the model that renders its first conversation) or built-in set, a
 * named teacher (registered, and, when DISTILL is the recipe's first stage, of the student's vocabulary size) and
 * the LoRA targets against the job's model. All of it again when the stage starts, on the model it actually reads
 * and with the default teacher resolved (the root of the job's model's lineage).
 *
 * <p>Checkpoints go to the stage's work folder every {@code training.checkpointEvery} updates; a job taken over from
 * a worker that died resumes there (and does not regenerate a self-distilled set it already registered) and ends
 * with the weights of an uninterrupted run with the same seed. Progress is reported per update (loss, validation
 * loss, tokens/s, time left) and cancellation is honoured between updates.
 */
@Component
public class DistillStage implements StageType<DistillParameters> {

    /** The loss curve, as JSON and as a chart, in the output folder. */
    public static final String LOSS_CURVE_FILE = "loss_curve.json";
    public static final String LOSS_CURVE_CHART = "loss_curve.png";
    /** A LoRA run's PEFT adapter folder, inside the output folder. */
    public static final String ADAPTER_FOLDER = "adapter";

    /** What a self-distillation regenerated: the dataset it registered and how often the teacher's answer was kept. */
    public record SelfDistilled(UUID datasetId, String datasetName, int teacherKept, int originalKept) {
    }

    /**
     * What the stage returns. {@code outputs} names the files it wrote, relative to the output model folder
     * ({@code "."} is the model itself); {@code resumedFromStep} is 0 for a run that started from the beginning.
     */
    public record Result(String method, String adapter, String teacher, long steps, long resumedFromStep,
                         int trainingExamples, int heldOutExamples, int skippedExamples, double finalLoss,
                         Double validationLoss, double tokensPerSecond, SelfDistilled selfDistilled,
                         Map<String, String> outputs, List<LossCurve.Point> lossCurve) {
        public Result {
            lossCurve = List.copyOf(lossCurve);
        }
    }

    private final ModelCatalog catalog;
    private final Models models;
    private final Jobs jobs;
    private final DistillExamples examples;
    private final SelfDistilledDatasets selfDistilled;

    public DistillStage(ModelCatalog catalog, Models models, Jobs jobs, DistillExamples examples,
                        SelfDistilledDatasets selfDistilled) {
        this.catalog = catalog;
        this.models = models;
        this.jobs = jobs;
        this.examples = examples;
        this.selfDistilled = selfDistilled;
    }

    @Override
    public String name() {
        return "DISTILL";
    }

    @Override
    public String description() {
        return "Recovers a model by fine-tuning: sft on a dataset's responses, self-distill on the teacher's own "
                + "answers to its prompts, or logits against the teacher's next-token distribution; full or LoRA, "
                + "pruned weights kept at zero. Writes the new model, its loss curve and (LoRA) a PEFT adapter.";
    }

    @Override
    public Class<DistillParameters> parametersType() {
        return DistillParameters.class;
    }

    @Override
    public List<FieldProblem> validate(DistillParameters p) {
        List<DistillProblem> problems = new ArrayList<>(p.problems());
        problems.addAll(examples.problems(p.data()));
        if (p instanceof DistillParameters.Taught t && t.teacher() != null && catalog.find(t.teacher()).isEmpty()) {
            problems.add(new DistillProblem("teacher", "no model with id or name '" + t.teacher() + "'"));
        }
        return fieldProblems(problems);
    }

    @Override
    public List<FieldProblem> validate(DistillParameters p, ModelConfig model) {
        List<DistillProblem> problems = new ArrayList<>(p.problems(model));
        if (p instanceof DistillParameters.Taught t && t.teacher() != null) {
            catalog.find(t.teacher()).ifPresent(teacher -> problems.addAll(teacherProblems(model, teacher)));
        }
        return fieldProblems(problems);
    }

    @Override
    public List<FieldProblem> validate(DistillParameters p, ModelConfig model, Path folder) {
        List<FieldProblem> problems = new ArrayList<>(validate(p, model));
        problems.addAll(fieldProblems(chatProblems(p.data(), folder)));
        return problems;
    }

    @Override
    public Result execute(DistillParameters p, StageContext context) throws Exception {
        ModelConfig student = ModelConfig.load(context.modelFolder());
        Model teacher = p instanceof DistillParameters.Taught t ? teacher(t, context.jobId()) : null;
        List<DistillProblem> problems = new ArrayList<>(p.problems());
        problems.addAll(examples.problems(p.data()));
        problems.addAll(p.problems(student));
        if (teacher != null) {
            problems.addAll(teacherProblems(student, teacher));
        }
        problems.addAll(chatProblems(p.data(), context.modelFolder()));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.stream().map(DistillProblem::toString)
                    .collect(Collectors.joining("; ")));
        }

        ChatTemplate template = examples.inChatForm(p.data())
                ? ChatTemplate.load(context.modelFolder()).orElseThrow() : null;
        List<Conversation> conversations = template == null ? null : examples.conversations(p.data());
        SelfDistilled regenerated = null;
        Progress training = context.progress();
        List<SupervisedExample> tokenized;
        try (Tokenizer tokenizer = Tokenizer.load(context.modelFolder())) {
            List<SelfDistillation.Example> texts = template == null ? examples.read(p.data())
                    : render(conversations, template, tokenizer);
            if (p instanceof DistillParameters.SelfDistill s) {
                SelfDistilledDatasets.Registered set = regenerate(s, texts, conversations, teacher, context);
                texts = template == null ? set.result().examples() : render(set.conversations(), template, tokenizer);
                regenerated = new SelfDistilled(set.dataset().getId(), set.dataset().getName(),
                        set.result().teacherKept(), set.result().originalKept());
                training = context.progress(1, 2);
            }
            tokenized = tokenize(tokenizer, texts);
        }

        DistillTraining t = p.training();
        long tokens = 0;
        for (SupervisedExample example : tokenized) {
            tokens += Math.min(example.length(), t.maxLength());
        }
        long steps = t.steps(Math.round(tokens * (1 - t.validationFraction())));
        DType dtype = Optional.ofNullable(DType.fromTorchName(student.torchDtype())).orElse(DType.F32);
        FineTune.Objective objective = p instanceof DistillParameters.Logits l
                ? new FineTune.Objective.Distillation(Path.of(teacher.getPath()), l.distillation())
                : new FineTune.Objective.CrossEntropy();
        Path output = context.outputFolder();
        FineTune.Request request = new FineTune.Request(context.modelFolder(), tokenized, objective,
                p.adapter().fineTune(t.seed()), t.settings(steps, student.maxPositionEmbeddings(), dtype),
                context.workFolder(), output, output.resolve(ADAPTER_FOLDER), baseModelName(context));

        ValidationLosses validation = new ValidationLosses(context.workFolder());
        long[] firstStep = {0};
        long[] trainedTokens = {0};
        double[] seconds = {0};
        FineTune.Result result = FineTune.run(request, training, step -> {
            if (firstStep[0] == 0) {
                firstStep[0] = step.step();
            }
            trainedTokens[0] += step.throughput().tokens();
            seconds[0] += step.throughput().seconds();
            if (!Double.isNaN(step.validationLoss())) {
                validation.validated(step.step(), step.validationLoss());
            }
        });

        LossCurve curve = validation.curve(result.losses());
        List<LossCurve.Point> points = curve.points();
        Files.writeString(output.resolve(LOSS_CURVE_FILE),
                JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(points) + "\n");
        Files.write(output.resolve(LOSS_CURVE_CHART), LossCurveChart.png(curve, "DISTILL " + p.name(), 800, 500));
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("model", ".");
        outputs.put("lossCurve", LOSS_CURVE_FILE);
        outputs.put("lossCurveChart", LOSS_CURVE_CHART);
        if (result.adapterDir() != null) {
            outputs.put("adapter", ADAPTER_FOLDER);
        }
        return new Result(p.name(), p.adapter() instanceof DistillAdapter.Lora ? DistillAdapter.Lora.NAME
                : DistillAdapter.Full.NAME, teacher == null ? null : teacher.getName(), steps,
                firstStep[0] == 0 ? steps : firstStep[0] - 1, result.trainingExamples(), result.heldOutExamples(),
                result.skippedExamples(), result.losses().getLast(),
                // boxed on both sides: a run without a held-out split has no validation loss (null, not an NPE)
                Double.isNaN(result.validationLoss()) ? lastValidation(points) : Double.valueOf(result.validationLoss()),
                seconds[0] > 0 ? trainedTokens[0] / seconds[0] : 0, regenerated, outputs, points);
    }

    /**
     * The registered set an earlier attempt left, or the teacher's regeneration, registered now. For
     * {@code conversations} (chat form; else null), {@code texts} are their rendered final turns: the teacher
     * continues the rendered prompt, the check compares with the final assistant turn's text, and the registered set
     * holds the conversations with the kept answer as their final turn.
     */
    private SelfDistilledDatasets.Registered regenerate(DistillParameters.SelfDistill s,
                                                       List<SelfDistillation.Example> texts,
                                                       List<Conversation> conversations, Model teacher,
                                                       StageContext context) throws IOException {
        String name = SelfDistilledDatasets.name(context.jobId(), context.stageIndex());
        Optional<SelfDistilledDatasets.Registered> earlier = selfDistilled.find(name);
        if (earlier.isPresent()) {
            return earlier.get();
        }
        Path folder = Path.of(teacher.getPath());
        Progress progress = context.progress(0, 2);
        List<SelfDistillation.Example> asked = texts;
        if (conversations != null) {
            asked = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                asked.add(new SelfDistillation.Example(texts.get(i).prompt(), conversations.get(i).finalResponse()));
            }
        }
        try (Tokenizer tokenizer = Tokenizer.load(folder)) {
            SelfDistillation.Result result = SelfDistillation.regenerate(DecoderLoader.load(folder, progress),
                    tokenizer, asked, s.regeneration(), progress);
            List<Conversation> answered = null;
            if (conversations != null) {
                answered = new ArrayList<>(conversations.size());
                for (int i = 0; i < conversations.size(); i++) {
                    answered.add(conversations.get(i).withFinalResponse(result.outcomes().get(i).example().response()));
                }
            }
            return selfDistilled.register(name, result, answered);
        }
    }

    /** Each conversation's final assistant turn as prompt and response text; fails naming the example. */
    private static List<SelfDistillation.Example> render(List<Conversation> conversations, ChatTemplate template,
                                                         Tokenizer tokenizer) {
        List<SelfDistillation.Example> out = new ArrayList<>(conversations.size());
        for (int i = 0; i < conversations.size(); i++) {
            try {
                out.add(conversations.get(i).render(template, tokenizer));
            } catch (IllegalArgumentException unrenderable) {
                throw new IllegalArgumentException("data: example " + (i + 1) + ": " + unrenderable.getMessage(),
                        unrenderable);
            }
        }
        return out;
    }

    private static List<SupervisedExample> tokenize(Tokenizer tokenizer, List<SelfDistillation.Example> texts) {
        List<SupervisedExample> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            SelfDistillation.Example e = texts.get(i);
            try {
                out.add(SupervisedExample.of(tokenizer, e.prompt(), e.response()));
            } catch (IllegalArgumentException empty) {
                throw new IllegalArgumentException("data: example " + (i + 1) + ": " + empty.getMessage(), empty);
            }
        }
        return out;
    }

    /**
     * A dataset in chat form needs the model's chat template, one that renders its first conversation; empty for a
     * prompt/response source.
     */
    private List<DistillProblem> chatProblems(DistillData data, Path model) {
        if (!examples.inChatForm(data)) {
            return List.of();
        }
        Optional<ChatTemplate> template;
        try {
            template = ChatTemplate.load(model);
        } catch (IOException | RuntimeException unreadable) {
            return List.of(new DistillProblem("data.dataset", "the model's chat template cannot be read: "
                    + unreadable.getMessage()));
        }
        if (template.isEmpty()) {
            return List.of(new DistillProblem("data.dataset", "'" + data.dataset() + "' holds conversations (chat "
                    + "form), but the model has no chat template to render them: its tokenizer_config.json has no "
                    + "chat_template (and there is no " + ChatTemplate.JINJA_FILE + ")"));
        }
        try {
            examples.firstConversation(data).render(template.get());
        } catch (IllegalArgumentException unrenderable) {
            return List.of(new DistillProblem("data.dataset", "the first conversation of '" + data.dataset() + "': "
                    + unrenderable.getMessage()));
        }
        return List.of();
    }

    /** The named teacher, or the root of the job's model's lineage (the model it was pruned from, and so on). */
    private Model teacher(DistillParameters.Taught t, UUID jobId) {
        if (t.teacher() != null) {
            return catalog.find(t.teacher()).orElseThrow(() -> new IllegalArgumentException(
                    "teacher: no model with id or name '" + t.teacher() + "'"));
        }
        Model model = models.findById(jobs.findById(jobId).orElseThrow().getModelId()).orElseThrow();
        Set<UUID> seen = new HashSet<>();
        while (model.getParentId() != null && seen.add(model.getId())) {
            Optional<Model> parent = models.findById(model.getParentId());
            if (parent.isEmpty()) {
                break;
            }
            model = parent.get();
        }
        return model;
    }

    private static List<DistillProblem> teacherProblems(ModelConfig student, Model teacher) {
        try {
            return DistillParameters.vocabularyProblems(student, ModelConfig.load(Path.of(teacher.getPath())),
                    teacher.getName());
        } catch (IOException | RuntimeException unreadable) {
            return List.of(new DistillProblem("teacher", "the teacher '" + teacher.getName()
                    + "' cannot be read: " + unreadable.getMessage()));
        }
    }

    /** What the PEFT adapter names as its base: the job's model when this stage reads it, else the folder. */
    private String baseModelName(StageContext context) {
        Model jobModel = models.findById(jobs.findById(context.jobId()).orElseThrow().getModelId()).orElseThrow();
        return Path.of(jobModel.getPath()).equals(context.modelFolder()) ? jobModel.getName()
                : context.modelFolder().getFileName().toString();
    }

    private static Double lastValidation(List<LossCurve.Point> points) {
        for (int i = points.size() - 1; i >= 0; i--) {
            if (points.get(i).validationLoss() != null) {
                return points.get(i).validationLoss();
            }
        }
        return null;
    }

    private static List<FieldProblem> fieldProblems(List<DistillProblem> problems) {
        List<FieldProblem> fields = new ArrayList<>();
        problems.forEach(problem -> fields.add(new FieldProblem(problem.field(), problem.message())));
        return fields;
    }
}
