package dev.whittle.engine.eval.data;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A whole text file as one document. CRLF line ends are read as LF: the copy of WikiText-2 Whittle ships was written
 * with CRLF, while the text models are scored on (and the published perplexities) has LF.
 */
final class TextReader implements DatasetReader {

    @Override
    public List<Doc> read(DataPath path, String split, List<String> subsets) throws IOException {
        String text = path.readText().replace("\r\n", "\n");
        if (text.isBlank()) {
            throw new DatasetException(path + ": the text is empty");
        }
        return List.of(new Doc(0, Map.of("id", path.name(), "text", text)));
    }
}
