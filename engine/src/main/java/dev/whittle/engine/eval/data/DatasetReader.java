package dev.whittle.engine.eval.data;

import java.io.IOException;
import java.util.List;

/** Reads one split of a dataset in one format into documents. */
interface DatasetReader {

    /**
     * @param path    the dataset's file or folder, {@code {split}} already replaced
     * @param split   the split to read (formats with one file per split use it; others ignore it)
     * @param subsets the subsets to read (MMLU subjects), or empty for all
     */
    List<Doc> read(DataPath path, String split, List<String> subsets) throws IOException;
}
