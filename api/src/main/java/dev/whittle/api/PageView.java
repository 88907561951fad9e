package dev.whittle.api;

import java.util.List;
import java.util.function.Function;

import org.springframework.data.domain.Page;

/** One page of a list, newest first unless said otherwise. */
public record PageView<T>(List<T> items, int page, int size, long totalItems, int totalPages) {

    /** The highest page number a list takes: page x size (at most 1000) must stay an int row offset. */
    public static final int MAX_PAGE = 1_000_000;

    public static <E, T> PageView<T> of(Page<E> page, Function<E, T> view) {
        return new PageView<>(page.getContent().stream().map(view).toList(), page.getNumber(), page.getSize(),
                page.getTotalElements(), page.getTotalPages());
    }
}
