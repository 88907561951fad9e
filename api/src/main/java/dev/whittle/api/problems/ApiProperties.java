package dev.whittle.api.problems;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** @param maxRequestSize the largest request body accepted; longer ones get 413 before they are parsed */
@ConfigurationProperties("whittle.api")
public record ApiProperties(@DefaultValue("1MB") DataSize maxRequestSize) {
}
