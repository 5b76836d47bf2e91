package org.scalelab.web;

/**
 * What every handler may use: the options the server was started with, the lab, read through
 * {@link LabSnapshots} so that a command writing the lab in another process is never blocked for long,
 * and the events sent to open pages.
 */
public record DashboardContext(DashboardOptions options, LabSnapshots lab, LiveEvents events) {}
