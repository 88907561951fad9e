package dev.whittle.engine.eval.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MMLU as Hendrycks et al. released it: a folder with {@code <split>/<subject>_<split>.csv}, each row question, A, B,
 * C, D, answer letter. Subjects are read in the order given (or the folder's sorted order), rows in file order.
 */
final class MmluCsvReader implements DatasetReader {

    private static final String LETTERS = "ABCD";

    @Override
    public List<Doc> read(DataPath folder, String split, List<String> subsets) throws IOException {
        List<String> subjects = subsets.isEmpty() ? listSubjects(folder, split) : subsets;
        List<Doc> docs = new ArrayList<>();
        for (String subject : subjects) {
            DataPath file = folder.resolve(split).resolve(subject + "_" + split + ".csv");
            List<List<String>> rows = Csv.parse(file.readText(), file.toString());
            for (int r = 0; r < rows.size(); r++) {
                docs.add(doc(docs.size(), subject, split, r, rows.get(r), file));
            }
        }
        return docs;
    }

    private static Doc doc(int index, String subject, String split, int row, List<String> cells, DataPath file) {
        if (cells.size() != 6) {
            throw new DatasetException(file + " row " + (row + 1) + ": expected 6 fields (question, A, B, C, D, answer), got "
                    + cells.size());
        }
        String answer = cells.get(5).strip();
        int gold = answer.length() == 1 ? LETTERS.indexOf(answer.charAt(0)) : -1;
        if (gold < 0) {
            throw new DatasetException(file + " row " + (row + 1) + ": the answer must be one of A, B, C, D, got '" + answer + "'");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", subject + "/" + split + "/" + row);
        fields.put("question", cells.get(0));
        fields.put("choices", List.copyOf(cells.subList(1, 5)));
        fields.put("answer", answer);
        fields.put("gold", (long) gold);
        fields.put("subject", subject);
        fields.put("subject_name", subject.replace('_', ' '));
        return new Doc(index, fields);
    }

    private static List<String> listSubjects(DataPath folder, String split) throws IOException {
        String suffix = "_" + split + ".csv";
        List<String> subjects = folder.resolve(split).list().stream()
                .filter(name -> name.endsWith(suffix))
                .map(name -> name.substring(0, name.length() - suffix.length()))
                .toList();
        if (subjects.isEmpty()) {
            throw new DatasetException(folder.resolve(split) + ": no <subject>" + suffix + " files");
        }
        return subjects;
    }
}
