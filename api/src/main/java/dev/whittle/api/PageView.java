package dev.whittle.api;

import java.util.List;
import java.util.function.Function;

import org.springframework.data.domain.Page;

/** One page of a list, newest first unless said otherwise. */
public record PageView<T>(List<T> items, int page, int size, long totalItems, int totalPages) {

    /** The highest page number a list takes: page x size (at most 1000) must stay an int row offset. */
    public static final int MAX_PAGE = 1_000_000;

    public static <E, T> PageView<T> of(Page<E> page, Function<E, T> view) {
        return ofAll(page, items -> items.stream().map(view).toList());
    }

    /** With the page's items viewed all at once (one query for what they refer to, not one per item). */
    public static <E, T> PageView<T> ofAll(Page<E> page, Function<List<E>, List<T>> views) {
        return new PageView<>(views.apply(page.getContent()), page.getNumber(), page.getSize(),
                page.getTotalElements(), page.getTotalPages());
    }
}
