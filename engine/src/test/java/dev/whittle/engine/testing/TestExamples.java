package dev.whittle.engine.testing;

import dev.whittle.engine.train.data.SupervisedExample;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Prompt/response examples in the byte tokens of {@link TestTokenizers}, for fine-tuning tests. */
public final class TestExamples {

    private TestExamples() {
    }

    /** ASCII text as the test tokenizer's byte ids. */
    public static int[] bytes(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = TestTokenizers.FIRST_BYTE_ID + b[i];
        }
        return ids;
    }

    /** Twelve questions "which animal is number i?" answered " the <animal>.". */
    public static List<SupervisedExample> animals() {
        String[] animals = {"cat", "dog", "owl", "fox", "bee", "elk", "yak", "ant", "emu", "cow", "hen", "pig"};
        List<SupervisedExample> out = new ArrayList<>();
        for (int i = 0; i < animals.length; i++) {
            out.add(new SupervisedExample(bytes("Q: which animal is number " + i + "? A:"),
                    bytes(" the " + animals[i] + ".")));
        }
        return out;
    }
}
