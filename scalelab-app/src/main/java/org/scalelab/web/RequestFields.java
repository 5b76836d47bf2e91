package org.scalelab.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;
import org.scalelab.InputException;

/** Reads a field of a JSON request (a job's options), answering 400 with the field and value when it has the wrong type. */
final class RequestFields {
    private RequestFields() {}

    static String text(JsonNode r, String field, String fallback) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new BadRequestResponse(field + ": " + InputException.quote(v.toString()) + " must be text");
        }
        return v.asText();
    }

    static double number(JsonNode r, String field, double fallback) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new BadRequestResponse(field + ": " + InputException.quote(v.toString()) + " is not a finite number");
        }
        return v.asDouble();
    }

    static long whole(JsonNode r, String field, long fallback) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new BadRequestResponse(field + ": " + InputException.quote(v.toString()) + " is not a whole number");
        }
        return v.asLong();
    }

    static int integer(JsonNode r, String field, int fallback) {
        long v = whole(r, field, fallback);
        if (v != (int) v) {
            throw new BadRequestResponse(field + ": " + v + " is too large");
        }
        return (int) v;
    }

    static boolean bool(JsonNode r, String field, boolean fallback) {
        JsonNode v = r.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new BadRequestResponse(field + ": " + InputException.quote(v.toString()) + " must be true or false");
        }
        return v.asBoolean();
    }
}
