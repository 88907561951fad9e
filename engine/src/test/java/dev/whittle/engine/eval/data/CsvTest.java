package dev.whittle.engine.eval.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvTest {

    @Test
    void quotedFieldsHoldCommasDoubledQuotesAndLineBreaks() {
        String text = "\uFEFFplain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nx,y\"z,,\n\n";
        assertThat(Csv.parse(text, "t.csv")).containsExactly(
                List.of("plain", "a, b", "say \"hi\"", "two\nlines"),
                List.of("x", "y\"z", "", ""));
    }

    @Test
    void theLastRecordNeedsNoLineEnd() {
        assertThat(Csv.parse("a,b\nc,d", "t.csv")).containsExactly(List.of("a", "b"), List.of("c", "d"));
    }

    @Test
    void anUnclosedQuoteNamesTheFileAndTheLineItOpensOn() {
        assertThatThrownBy(() -> Csv.parse("a,b\nc,\"d,e\nf", "t.csv"))
                .isInstanceOf(DatasetException.class)
                .hasMessage("t.csv line 2: a quoted field is never closed");
    }
}
