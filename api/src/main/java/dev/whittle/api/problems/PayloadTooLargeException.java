package dev.whittle.api.problems;

import java.io.IOException;

/** Thrown while reading a request body that turns out longer than the limit (bodies without Content-Length). */
public class PayloadTooLargeException extends IOException {
    public PayloadTooLargeException(long limit) {
        super("the request body is larger than the limit of " + limit + " bytes (whittle.api.max-request-size)");
    }
}
