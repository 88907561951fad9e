package dev.whittle.engine.train.finetune;

import dev.whittle.engine.tokenizer.ChatTemplate;
import dev.whittle.engine.tokenizer.Tokenizer;
import dev.whittle.engine.train.distill.SelfDistillation;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of a chat-form dataset: messages with roles (system, user, assistant, ...). A DISTILL trains on its final
 * assistant turn: the prompt is the conversation before that turn rendered with the generation prompt, the response
 * the rest of the whole conversation's rendering (the turn and whatever the template closes it with), so that the
 * loss falls on the assistant's tokens only. Messages after the final assistant turn are not rendered.
 */
public record Conversation(List<ChatTemplate.Message> messages) {

    public static final String ASSISTANT = "assistant";

    public Conversation {
        messages = List.copyOf(messages);
        if (messages.stream().noneMatch(m -> m.role().equals(ASSISTANT))) {
            throw new IllegalArgumentException("the conversation has no assistant turn to train on");
        }
    }

    /** The final assistant turn's text. */
    public String finalResponse() {
        return messages.get(finalAssistant()).content();
    }

    /** This conversation up to its final assistant turn, whose text is replaced by {@code response}. */
    public Conversation withFinalResponse(String response) {
        int last = finalAssistant();
        List<ChatTemplate.Message> out = new ArrayList<>(messages.subList(0, last));
        out.add(new ChatTemplate.Message(ASSISTANT, response));
        return new Conversation(out);
    }

    /**
     * The prompt and response texts of the final assistant turn, as the template renders them.
     *
     * @throws IllegalArgumentException when the template cannot render the conversation, or renders the prompt as
     *                                  other than a prefix of the whole conversation (it is not prefix-stable)
     */
    public SelfDistillation.Example render(ChatTemplate template) {
        int last = finalAssistant();
        String prompt = template.render(messages.subList(0, last), true);
        String whole = template.render(messages.subList(0, last + 1), false);
        if (!whole.startsWith(prompt)) {
            int at = 0;
            while (at < prompt.length() && at < whole.length() && prompt.charAt(at) == whole.charAt(at)) {
                at++;
            }
            throw new IllegalArgumentException("the chat template is not prefix-stable: the conversation before the "
                    + "final assistant turn, rendered with add_generation_prompt, is not a prefix of the whole "
                    + "conversation's rendering (they part at character " + at + ": "
                    + quote(prompt.substring(at)) + " against " + quote(whole.substring(at)) + ")");
        }
        String response = whole.substring(prompt.length());
        if (response.isEmpty()) {
            throw new IllegalArgumentException("the chat template renders the final assistant turn as nothing");
        }
        return new SelfDistillation.Example(prompt, response);
    }

    /**
     * As {@link #render(ChatTemplate)}, ready for {@code tokenizer}'s {@code encode(text, true)}: a bos the template
     * writes in front is left out of the prompt when the tokenizer adds one itself (else there would be two).
     */
    public SelfDistillation.Example render(ChatTemplate template, Tokenizer tokenizer) {
        SelfDistillation.Example example = render(template);
        String bos = tokenizer.addsBos() ? tokenizer.decode(new int[] {tokenizer.bosTokenId()}) : null;
        if (bos == null || bos.isEmpty() || !example.prompt().startsWith(bos)) {
            return example;
        }
        return new SelfDistillation.Example(example.prompt().substring(bos.length()), example.response());
    }

    private int finalAssistant() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals(ASSISTANT)) {
                return i;
            }
        }
        throw new IllegalStateException("checked in the constructor");
    }

    private static String quote(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return "\"" + cut.replace("\n", "\\n") + "\"";
    }
}
