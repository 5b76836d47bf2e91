package org.scalelab.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.scalelab.InputException;
import org.scalelab.web.Dashboard;
import org.scalelab.web.DashboardOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve the lab as a dashboard in the browser: runs, laws, sweeps (live), geometry and capability phases.",
            "Binds 127.0.0.1 by default and serves until Ctrl-C. It only reads the lab unless --allow-jobs,",
            "and never holds the lab's store between requests, so sweeps and imports in other processes keep working."},
        footer = {"", "Examples:",
            "  scalelab serve                                   # ./lab on http://127.0.0.1:7070/",
            "  scalelab serve --lab lab --port 8080 --open",
            "  scalelab serve --host 0.0.0.0 --token \"$(openssl rand -hex 16)\"   # reachable from other machines",
            "", "See docs/dashboard.md for the pages and the JSON API."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CliSupport.LabOption lab;

    @Option(names = "--port", paramLabel = "N", defaultValue = "7070", description = "Port to listen on (0: any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = DashboardOptions.DEFAULT_HOST,
            description = "Address to bind. Anything but loopback needs --token. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--token", paramLabel = "SECRET", description = {"Secret every request must carry (header X-ScaleLab-Token, or ?token= once, which sets a cookie):",
                "at least 16 characters from A-Z a-z 0-9 . _ ~ -. Needed with any --host but loopback."})
    String token;

    @Option(names = "--allow-jobs", description = "Let the browser start jobs that write the lab (fits, sweeps). Default: read-only.")
    boolean allowJobs;

    @Option(names = "--open", description = "Open the dashboard in the default browser.")
    boolean open;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) {
            throw new InputException("--port " + port + ": give a port from 0 to 65535");
        }
        DashboardOptions options = new DashboardOptions(lab.dir(), host, port, token, allowJobs);
        Dashboard dashboard = Dashboard.start(options);
        PrintWriter out = spec.commandLine().getOut();
        out.println("ScaleLab dashboard of " + options.lab() + " at " + dashboard.openUrl() + "   (Ctrl-C stops it)");
        out.flush();
        if (open) {
            Browser.open(dashboard.openUrl(), spec.commandLine().getErr());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dashboard.close();
            stopped.countDown();
        }, "scalelab-serve-stop"));
        stopped.await();
        return 0;
    }

    /**
     * Takes out of a child's environment the C allocator bin/scalelab preloaded for ScaleLab itself
     * and its settings (bin/allocator.sh names them in {@code SCALELAB_PRELOADED} and
     * {@code SCALELAB_MALLOC_CONF}): a browser brings its own allocator.
     * What the user preloaded is kept.
     */
    static void withoutLauncherAllocator(Map<String, String> env) {
        String conf = env.remove("SCALELAB_MALLOC_CONF");
        if (conf != null && conf.equals(env.get("MALLOC_CONF"))) {
            env.remove("MALLOC_CONF");
        }
        String added = env.remove("SCALELAB_PRELOADED");
        String preload = env.get("LD_PRELOAD");
        if (added == null || preload == null) {
            return;
        }
        String rest = Arrays.stream(preload.split(":"))
                .filter(lib -> !lib.isEmpty() && !lib.equals(added))
                .collect(Collectors.joining(":"));
        if (rest.isEmpty()) {
            env.remove("LD_PRELOAD");
        } else {
            env.put("LD_PRELOAD", rest);
        }
    }

    /** Opens a page in the desktop's browser, or says why it cannot. */
    static final class Browser {
        private Browser() {}

        static void open(String url, PrintWriter err) {
            try {
                ProcessBuilder browser = new ProcessBuilder("xdg-open", url).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                withoutLauncherAllocator(browser.environment());
                browser.start();
            } catch (java.io.IOException e) {
                err.println("scalelab: cannot open a browser here (" + e.getMessage() + "); open " + url + " yourself");
                err.flush();
            }
        }
    }
}
