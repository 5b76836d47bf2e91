package org.scalelab.web;

import io.javalin.http.BadRequestResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The only way a request names a file: a path relative to the lab folder, which must stay inside it.
 * Absolute paths, {@code ..} that climbs out, and symbolic links that lead out are refused, so no request
 * parameter reaches a file outside the lab.
 */
public final class LabPaths {
    private LabPaths() {}

    /**
     * The file {@code relative} names inside {@code lab}; 400 with a message naming {@code what} when it
     * is absolute, climbs out of the lab, or resolves (through symbolic links) outside it.
     */
    public static Path resolve(Path lab, String relative, String what) {
        if (relative == null || relative.isBlank()) {
            throw new BadRequestResponse(what + ": give a path inside the lab");
        }
        Path rel;
        try {
            rel = Path.of(relative);
        } catch (InvalidPathException e) {
            throw new BadRequestResponse(what + " " + quote(relative) + ": not a path");
        }
        if (rel.isAbsolute() || relative.startsWith("/") || relative.startsWith("\\") || relative.contains("\0")) {
            throw new BadRequestResponse(what + " " + quote(relative) + ": give a path relative to the lab, not an absolute one");
        }
        Path root = lab.toAbsolutePath().normalize();
        Path target = root.resolve(rel).normalize();
        if (!target.startsWith(root)) {
            throw new BadRequestResponse(what + " " + quote(relative) + ": leads outside the lab");
        }
        // Follow links on the part of the path that exists (the file itself, or its nearest existing folder
        // for a file still to be written): each must lead to a place inside the lab's real folder.
        Path existing = target;
        while (existing != null && !existing.equals(root) && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing != null && !existing.equals(root) && Files.exists(root)) {
            try {
                Path realRoot = root.toRealPath();
                Path real = existing.toRealPath();
                if (!real.startsWith(realRoot)) {
                    throw new BadRequestResponse(what + " " + quote(relative) + ": a link that leads outside the lab");
                }
            } catch (IOException e) {
                throw new BadRequestResponse(what + " " + quote(relative) + ": cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        return target;
    }

    private static String quote(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "'" + t + "'";
    }
}
