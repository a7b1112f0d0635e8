package io.tidemark.appliance.api;

/** Every 4xx/5xx body: {"error": "reason"}. */
public record ErrorBody(String error) {}
