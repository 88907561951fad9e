package dev.whittle.engine.tokenizer;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The Python {@code str} methods Hugging Face chat templates call ({@code content.strip()},
 * {@code role.startswith('sys')}, ...), for Jinjava, which would otherwise look them up on {@link String} and find
 * none (or Java's, with other semantics: {@code split} takes a regex there). A method not listed here falls through
 * to Jinjava's resolver and fails the render naming it.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || !(method instanceof String name)) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, name, args);
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    /** {@code s.name(args)} as Python computes it, or null when it is not a method handled here. */
    static Object call(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> args.length <= 1 ? rstrip(lstrip(s, chars(args)), chars(args)) : null;
            case "lstrip" -> args.length <= 1 ? lstrip(s, chars(args)) : null;
            case "rstrip" -> args.length <= 1 ? rstrip(s, chars(args)) : null;
            case "startswith" -> args.length == 1 ? affix(s, args[0], true) : null;
            case "endswith" -> args.length == 1 ? affix(s, args[0], false) : null;
            case "upper" -> args.length == 0 ? s.toUpperCase(Locale.ROOT) : null;
            case "lower" -> args.length == 0 ? s.toLowerCase(Locale.ROOT) : null;
            case "capitalize" -> args.length == 0 ? capitalize(s) : null;
            case "title" -> args.length == 0 ? title(s) : null;
            case "replace" -> args.length == 2 ? s.replace(String.valueOf(args[0]), String.valueOf(args[1])) : null;
            case "find" -> args.length == 1 ? (long) s.indexOf(String.valueOf(args[0])) : null;
            case "split" -> args.length <= 2 ? split(s, args.length > 0 ? args[0] : null,
                    args.length > 1 ? ((Number) args[1]).intValue() : -1) : null;
            case "join" -> args.length == 1 && args[0] instanceof Iterable<?> items ? join(s, items) : null;
            default -> null;
        };
    }

    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : String.valueOf(args[0]);
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strippable(s.charAt(j - 1), chars)) {
            j--;
        }
        return s.substring(0, j);
    }

    /** startswith/endswith of a string or of any string in a tuple (a list here). */
    private static boolean affix(String s, Object affix, boolean start) {
        if (affix instanceof Iterable<?> options) {
            for (Object option : options) {
                if (affix(s, option, start)) {
                    return true;
                }
            }
            return false;
        }
        String a = String.valueOf(affix);
        return start ? s.startsWith(a) : s.endsWith(a);
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean inWord = false;
        for (char c : s.toCharArray()) {
            out.append(inWord ? Character.toLowerCase(c) : Character.toUpperCase(c));
            inWord = Character.isLetter(c);
        }
        return out.toString();
    }

    /** Python's split: on runs of whitespace (dropping empty ends) without a separator, else on the separator. */
    private static List<String> split(String s, Object separator, int maxSplit) {
        List<String> parts = new ArrayList<>();
        if (separator == null) {
            String rest = s.strip();
            while (!rest.isEmpty()) {
                int end = 0;
                while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
                    end++;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(rest);
                    break;
                }
                parts.add(rest.substring(0, end));
                rest = lstrip(rest.substring(end), null);
            }
            return parts;
        }
        String sep = String.valueOf(separator);
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        for (int at = s.indexOf(sep); at >= 0 && (maxSplit < 0 || parts.size() < maxSplit); at = s.indexOf(sep, from)) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static String join(String separator, Iterable<?> items) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(separator);
            }
            out.append(item);
            first = false;
        }
        return out.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
