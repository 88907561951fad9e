package dev.whittle.engine.eval.task;

import dev.whittle.engine.eval.data.Doc;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptTemplateTest {

    private static final Doc DOC = new Doc(7, Map.of("question", "Why?", "choices", List.of("yes", "no"), "n", 3L));

    @Test
    void fieldsItemsAndLiteralBracesAreRenderedAndEverythingElseIsKept() {
        PromptTemplate t = PromptTemplate.parse("Q: {question}\n  1) {choices[0]} 2) {choices[1]} {{n}}={n}\n");
        assertThat(t.render(DOC)).isEqualTo("Q: Why?\n  1) yes 2) no {n}=3\n");
        assertThat(t.fields()).containsExactly("question", "choices", "n");
    }

    @Test
    void malformedPlaceholdersAreRefusedWithWhereTheyAre() {
        assertThatThrownBy(() -> PromptTemplate.parse("a {question")).hasMessageContaining("'{' at character 2 is never closed");
        assertThatThrownBy(() -> PromptTemplate.parse("a } b")).hasMessageContaining("'}' at character 2 has no opening brace");
        assertThatThrownBy(() -> PromptTemplate.parse("{two words}")).hasMessageContaining("'{two words}' is not a field name");
    }

    @Test
    void missingFieldsItemsAndWholeListsAreErrorsNamingTheDocument() {
        assertThatThrownBy(() -> PromptTemplate.parse("{answer}").render(DOC)).hasMessageContaining("document 7 has no field 'answer'");
        assertThatThrownBy(() -> PromptTemplate.parse("{choices[2]}").render(DOC)).hasMessageContaining("the field has 2 items");
        assertThatThrownBy(() -> PromptTemplate.parse("{choices}").render(DOC)).hasMessageContaining("'choices' is a list");
    }
}
