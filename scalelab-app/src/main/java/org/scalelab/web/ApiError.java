package org.scalelab.web;

/** The body of every error answer: a message a person can act on, never a stack trace. */
public record ApiError(int status, String message) {}
