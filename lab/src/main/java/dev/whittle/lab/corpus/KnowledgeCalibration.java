package dev.whittle.lab.corpus;

import dev.whittle.engine.prune.CalibrationSet;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@value #NAME} calibration set: synthetic biographies of the reference corpus, the reference model's own kind
 * of text, made offline. Applications that prune (the worker, the CLI) add it to their sampler.
 */
public final class KnowledgeCalibration implements CalibrationSet {

    public static final String NAME = "knowledge";
    private static final String DOCUMENT_SEPARATOR = "\n\n";

    @Override
    public String name() {
        return NAME;
    }

    /** Biographies of the reference corpus, person by person and exposure by exposure, until {@code chars}. */
    @Override
    public String text(long chars) {
        KnowledgeCorpus corpus = ReferenceRecipe.knowledge();
        int people = corpus.peopleWithBiographies().size();
        List<String> documents = new ArrayList<>();
        long total = 0;
        for (long exposure = 0; total < chars; exposure++) {
            for (int person = 0; person < people && total < chars; person++) {
                String biography = corpus.biography(person, exposure);
                documents.add(biography);
                total += biography.length() + DOCUMENT_SEPARATOR.length();
            }
        }
        return String.join(DOCUMENT_SEPARATOR, documents);
    }
}
