package dev.whittle.worker.testing;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads back the points a chart's SVG drew (a loss curve's, or any drawn with worker.charts.LabelledPoints): the {@code jfreesvg:ref} of each point's element group. */
public final class SvgPoints {

    /** One point drawn: its series ("training loss", "validation loss"), step and value. */
    public record Drawn(String series, long step, double loss) {
    }

    private static final Pattern REF = Pattern.compile("jfreesvg:ref='(\\{[^']*})'");

    private SvgPoints() {
    }

    /** The reference of every point group, as JSON, in drawing order (for charts other than loss curves). */
    public static java.util.List<JsonNode> refs(String svg) {
        java.util.List<JsonNode> refs = new java.util.ArrayList<>();
        Matcher m = REF.matcher(svg);
        while (m.find()) {
            refs.add(JsonMapper.shared().readTree(m.group(1).replace("&quot;", "\"").replace("&amp;", "&")));
        }
        return refs;
    }

    public static Set<Drawn> of(String svg) {
        Set<Drawn> points = new LinkedHashSet<>();
        Matcher m = REF.matcher(svg);
        while (m.find()) {
            JsonNode ref = JsonMapper.shared().readTree(m.group(1).replace("&quot;", "\"").replace("&amp;", "&"));
            points.add(new Drawn(ref.get("series").asString(), ref.get("step").asLong(), ref.get("loss").asDouble()));
        }
        return points;
    }
}
