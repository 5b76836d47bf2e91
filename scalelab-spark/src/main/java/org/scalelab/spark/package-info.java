/**
 * The same analyses as Spark jobs: geometry over activation sets read as a data source, and capture
 * and evaluation split across executors, each giving what the single-machine engine gives.
 */
package org.scalelab.spark;
