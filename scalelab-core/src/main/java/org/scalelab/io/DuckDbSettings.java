package org.scalelab.io;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The settings of every DuckDB connection ScaleLab opens, the in-memory ones that read input files
 * and the lab's store alike: no extension is installed or loaded behind the user's back (DuckDB
 * would otherwise fetch one from the network the first time a query needs it).
 */
public final class DuckDbSettings {
    private DuckDbSettings() {}

    /** Fresh connection properties with extension auto-install and auto-load switched off; callers may add to them. */
    public static Properties safe() {
        Properties p = new Properties();
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        return p;
    }

    /** An in-memory DuckDB with {@link #safe()} settings, for reading input files. */
    public static Connection inMemory() throws SQLException {
        return DriverManager.getConnection("jdbc:duckdb:", safe());
    }
}
