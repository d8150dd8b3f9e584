package io.kindling.schemas;

/** One problem with a message: the JSON path of the field and what is wrong with it. */
public record Violation(String field, String problem) {
}
